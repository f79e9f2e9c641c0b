/**
 * A minimal, fast TFTP download client for the bench (RFC 1350 + 2347/2348 + 7440 windowsize + 65535 -> 0
 * rollover), built on the repo's pure codec. Runs as its own process inside the client network namespace:
 *
 *   node --import tsx test/bench/tftp-client.ts SERVER PORT FILE BLKSIZE WINDOWSIZE
 *
 * and prints one JSON line (ClientResult). Nothing is written to disk: the data is hashed as it arrives so the
 * bench can check the sha256 of every download. Timing runs from the RRQ to the last DATA.
 *
 * The bench uses atftp by default (faster, see tftp.ts); this client is the cross-check that the numbers do
 * not hinge on one client's quirks (`--tftp-client node` or `both`).
 */
import { createHash } from 'node:crypto';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { decode, encode, type TftpPacket } from '../../shared/protocol/tftp/codec.ts';

export interface ClientResult {
  ok: boolean;
  error?: string;
  bytes: number;
  ms: number;
  sha256: string;
  /** What the server granted (512 / 1 when it sent no OACK or left an option out). */
  blksize: number;
  windowsize: number;
  oack: [string, string][] | null;
  /** ACKs sent again after a timeout or a gap in a window. */
  reacks: number;
  /** This client's own CPU use during the transfer (to show it is not the bottleneck). */
  cpuMs: number;
}

const RETRY_MS = 500;
const MAX_RETRIES = 20;

export function download(server: string, port: number, file: string, blksize: number, windowsize: number): Promise<ClientResult> {
  return new Promise((resolve) => {
    const socket = createSocket({ type: 'udp4' });
    const hash = createHash('sha256');
    const options: [string, string][] = [['blksize', String(blksize)]];
    if (windowsize > 1) options.push(['windowsize', String(windowsize)]);
    const rrq = encode({ op: 'RRQ', filename: file, mode: 'octet', options });

    let granted = { blksize: 512, windowsize: 1 };
    let oack: [string, string][] | null = null;
    let tid: number | null = null;
    let expected = 1; // 32-bit number of the next block; the wire carries its low 16 bits
    let sinceAck = 0;
    let bytes = 0;
    let reacks = 0;
    let retries = 0;
    let lastAck: Uint8Array | null = null;
    let started = 0;
    let cpuStart = process.cpuUsage();
    let timer: NodeJS.Timeout | null = null;
    let progress = false;
    let finished = false;

    const finish = (error?: string) => {
      if (finished) return;
      finished = true;
      const ms = performance.now() - started;
      const cpu = process.cpuUsage(cpuStart);
      if (timer) clearInterval(timer);
      socket.close();
      resolve({
        ok: !error,
        ...(error ? { error } : {}),
        bytes,
        ms,
        sha256: hash.digest('hex'),
        blksize: granted.blksize,
        windowsize: granted.windowsize,
        oack,
        reacks,
        cpuMs: (cpu.user + cpu.system) / 1000,
      });
    };

    const send = (bytesOut: Uint8Array, to: number) => socket.send(bytesOut, to, server);
    const ack = (block: number) => {
      lastAck = encode({ op: 'ACK', block: block & 0xffff });
      sinceAck = 0;
      send(lastAck, tid!);
    };
    // One periodic check instead of a timer re-armed per packet (the hot path stays a recv and a send).
    const tick = () => {
      if (progress) {
        progress = false;
        retries = 0;
        return;
      }
      if (++retries > MAX_RETRIES) return finish(`no answer after ${MAX_RETRIES} retries (${bytes} bytes received)`);
      reacks++;
      if (tid === null) send(rrq, port);
      else if (lastAck) send(lastAck, tid);
    };

    socket.on('message', (msg: Buffer, from: RemoteInfo) => {
      if (finished || from.address !== server) return;
      if (tid === null) tid = from.port;
      else if (from.port !== tid) {
        send(encode({ op: 'ERROR', code: 5, message: 'unknown transfer ID' }), from.port);
        return;
      }
      let p: TftpPacket;
      try {
        p = decode(msg).value;
      } catch (e) {
        return finish(`undecodable packet from the server: ${(e as Error).message}`);
      }
      if (p.op === 'ERROR') return finish(`server error ${p.code}: ${p.message}`);
      if (p.op === 'OACK') {
        if (expected !== 1) return;
        oack = p.options;
        for (const [name, value] of p.options) {
          if (name.toLowerCase() === 'blksize') granted = { ...granted, blksize: Number(value) };
          if (name.toLowerCase() === 'windowsize') granted = { ...granted, windowsize: Number(value) };
        }
        progress = true;
        ack(0);
        return;
      }
      if (p.op !== 'DATA') return;
      const wire = expected & 0xffff;
      if (p.block !== wire) {
        const ahead = ((p.block - wire) & 0xffff) < 0x8000;
        // A gap inside a window: acknowledge the last block received in order so the server resends from there
        // (RFC 7440 §4). In lockstep, a repeat of the previous block means our ACK was lost: repeat it.
        if (ahead || granted.windowsize === 1) {
          reacks++;
          ack(expected - 1);
        }
        return;
      }
      // ACK first, hash after: the server's next window waits only on the ACK.
      expected++;
      sinceAck++;
      const last = p.data.length < granted.blksize;
      if (last || sinceAck >= granted.windowsize) ack(p.block);
      hash.update(p.data);
      bytes += p.data.length;
      progress = true;
      if (last) finish();
    });
    socket.on('error', (e) => finish(`socket error: ${e.message}`));
    socket.bind(0, () => {
      started = performance.now();
      cpuStart = process.cpuUsage();
      send(rrq, port);
      timer = setInterval(tick, RETRY_MS);
    });
  });
}

// Entry point when run as a process (the bench runs it inside the client namespace).
if (import.meta.url === `file://${process.argv[1]}`) {
  const [server, port, file, blksize, windowsize] = process.argv.slice(2);
  if (!server || !port || !file || !blksize || !windowsize) {
    process.stderr.write('usage: tftp-client.ts SERVER PORT FILE BLKSIZE WINDOWSIZE\n');
    process.exit(2);
  }
  const result = await download(server, Number(port), file, Number(blksize), Number(windowsize));
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(result.ok ? 0 : 1);
}
