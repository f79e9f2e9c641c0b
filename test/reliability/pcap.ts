/** Reading what tcpdump wrote (`-w`, Ethernet link type): the UDP datagrams in capture order. */

export interface Datagram {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  payload: Buffer;
}

const ip4 = (b: Buffer, at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;

export function udpDatagrams(file: Buffer): Datagram[] {
  const out: Datagram[] = [];
  if (file.length < 24) return out;
  const magic = file.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const u32 = (at: number) => (le ? file.readUInt32LE(at) : file.readUInt32BE(at));
  if (u32(20) !== 1) throw new Error(`pcap link type ${u32(20)}, expected Ethernet`);
  for (let at = 24; at + 16 <= file.length; ) {
    const len = u32(at + 8);
    const frame = file.subarray(at + 16, at + 16 + len);
    at += 16 + len;
    if (frame.length < 14 + 20 + 8 || frame.readUInt16BE(12) !== 0x0800 || frame[14 + 9] !== 17) continue;
    const ihl = (frame[14]! & 0x0f) * 4;
    const udp = 14 + ihl;
    const udpLen = frame.readUInt16BE(udp + 4);
    out.push({ src: ip4(frame, 26), dst: ip4(frame, 30), sport: frame.readUInt16BE(udp), dport: frame.readUInt16BE(udp + 2), payload: Buffer.from(frame.subarray(udp + 8, udp + udpLen)) });
  }
  return out;
}
