// The mutation fuzzer (node fuzz.mjs '{json}', inside a client namespace): packets built from captured DHCP and
// TFTP traffic, mutated (bit flips, interesting bytes, truncation, extension, splices, and protocol-aware
// damage: option lengths, overloads, hlen, opcodes, missing NULs, absurd option values), sent to the server's
// ports 67 and 69 from many source addresses (so per-client rate limits do not hide the decoders), and into
// running TFTP transfers (a valid RRQ, then mutated ACK/ERROR/anything to the transfer's port). Deterministic
// for a given seed. Prints {"sent": {...}, "ms": N} at the end. Targets stay in 198.18.0.0/15.
//   {server, broadcast, sources: [ip...], seeds: {dhcp: [hex], tftp: [hex], transfer: [hex], rrq: hex}, count, transfers,
//    seconds, pps, seed}
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';

// The argument is the JSON itself or @FILE holding it (the seeds are too big for a command line).
const arg = process.argv[2];
const o = JSON.parse(arg.startsWith('@') ? readFileSync(arg.slice(1), 'utf8') : arg);
if (!/^198\.(18|19)\./.test(o.server)) throw new Error(`the fuzzer stays inside 198.18.0.0/15, not ${o.server}`);
let x = o.seed >>> 0 || 1;
const rnd = () => {
  x ^= x << 13;
  x >>>= 0;
  x ^= x >>> 17;
  x ^= x << 5;
  x >>>= 0;
  return x / 4294967296;
};
const int = (n) => Math.floor(rnd() * n);
const pick = (a) => a[int(a.length)];
const hex = (h) => Buffer.from(h, 'hex');
const seeds = { dhcp: o.seeds.dhcp.map(hex), tftp: o.seeds.tftp.map(hex), transfer: o.seeds.transfer.map(hex) };
const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x20, 0x2e, 0x2f, 0x5c];

const generic = [
  (b) => { for (let i = 1 + int(8); i > 0 && b.length; i--) b[int(b.length)] ^= 1 << int(8); return b; },
  (b) => { for (let i = 1 + int(4); i > 0 && b.length; i--) b[int(b.length)] = int(256); return b; },
  (b) => { for (let i = 1 + int(4); i > 0 && b.length; i--) b[int(b.length)] = pick(INTERESTING); return b; },
  (b) => b.subarray(0, int(b.length + 1)),
  (b) => Buffer.concat([b, Buffer.from(Array.from({ length: 1 + int(600) }, () => int(256)))]),
  (b) => { const at = int(b.length + 1); const len = int(64); return Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]); },
  (b) => { const other = pick([...seeds.dhcp, ...seeds.tftp]); const cut = int(Math.min(b.length, other.length) + 1); return Buffer.concat([b.subarray(0, cut), other.subarray(cut)]); },
  (b) => { if (b.length > 4) { const at = int(b.length - 4); b.writeUInt32BE([0, 0xffffffff, 0x7fffffff, 0x80000000][int(4)], at); } return b; },
];

/** DHCP-aware damage: walks the options (after the cookie at 236) and breaks one; fixed-field mischief. */
const dhcpSpecific = [
  (b) => { if (b.length > 2) b[2] = pick([0, 7, 16, 17, 255]); return b; }, // hlen
  (b) => { if (b.length > 0) b[0] = pick([0, 2, 3, 255]); return b; }, // op
  (b) => { if (b.length > 3) b[3] = 255; return b; }, // hops
  (b) => {
    const opts = [];
    for (let at = 240; at < b.length; ) {
      const code = b[at];
      if (code === 0) { at++; continue; }
      if (code === 255 || at + 1 >= b.length) break;
      opts.push(at);
      at += 2 + b[at + 1];
    }
    if (opts.length) b[pick(opts) + 1] = pick([0, 1, 2, 3, 4, 5, 127, 128, 254, 255, int(256)]);
    return b;
  },
  (b) => { // option overload (52) pointing at file/sname full of garbage options
    const end = b.indexOf(255, 240);
    const tail = Buffer.from([52, 1, 1 + int(3), 255]);
    const head = b.subarray(0, end > 0 ? end : b.length);
    for (let i = 44; i < 236 && i < head.length; i++) head[i] = int(256);
    return Buffer.concat([head, tail]);
  },
  (b) => Buffer.concat([b.subarray(0, 240), Buffer.from(Array.from({ length: int(1200) }, () => pick([0, 53, 55, 60, 61, 77, 82, 93, 94, 97, 43, 52, 255, int(256)])))]),
  (b) => { if (b.length >= 240) b.writeUInt32BE(pick([0, 0x63825362, 0x63825363]), 236); return b; }, // magic cookie
];

/** TFTP-aware damage: opcodes, NULs, option names and absurd values. */
const tftpSpecific = [
  (b) => { if (b.length > 1) b[1] = int(12); b[0] = pick([0, 0, 0, 1, 255]); return b; },
  (b) => Buffer.from(b.toString('latin1').replace(/\0/g, () => (rnd() < 0.5 ? '' : '\0')), 'latin1'),
  (b) => {
    const name = pick(['blksize', 'tsize', 'timeout', 'windowsize', 'BLKSIZE', 'multicast', 'rollover', '', 'x'.repeat(300)]);
    const value = pick(['0', '1', '7', '8', '65464', '65465', '99999999999999999999', '-1', '1e9', 'NaN', '', ' 512', '0x200', '１２']);
    return Buffer.concat([b, Buffer.from(`${name}\0${value}\0`, 'latin1')]);
  },
  (_b) => Buffer.concat([Buffer.from([0, 1]), Buffer.from(pick(['', '/', '.', '..', 'a'.repeat(int(2000)), '\\', 'iso/', 'iso/x/', 'boot/']) + '\0' + pick(['octet', 'netascii', 'mail', 'OCTET', '', 'x'.repeat(100)]) + '\0', 'latin1')]),
];

function mutate(seed, specific) {
  let b = Buffer.from(seed);
  for (let n = 1 + int(3); n > 0; n--) b = Buffer.from(rnd() < 0.4 ? pick(specific)(b) : pick(generic)(b));
  return b;
}

const sockets = [];
for (const address of o.sources) {
  const s = createSocket({ type: 'udp4', reuseAddr: true });
  s.on('error', () => {});
  s.on('message', () => {});
  await new Promise((ok) => s.bind(0, address, ok));
  s.setBroadcast(true);
  sockets.push(s);
}
const sent = { dhcp: 0, tftp: 0, transfer: 0 };
const t0 = Date.now();
const deadline = t0 + o.seconds * 1000;
const total = o.count;
const perTick = Math.max(1, Math.round(o.pps / 100)); // 10 ms ticks
let i = 0;
await new Promise((done) => {
  const tick = () => {
    const due = Math.min(total, Math.round(((Date.now() - t0) / 1000) * o.pps) + perTick);
    while (i < due) {
      const s = sockets[i % sockets.length];
      if (i % 2 === 0) {
        const b = mutate(pick(seeds.dhcp), dhcpSpecific);
        // A fresh chaddr most of the time: the per-client DHCP rate limit is not what this measures.
        if (b.length >= 34 && rnd() < 0.9) for (let k = 28; k < 34; k++) b[k] = int(256);
        s.send(b, 67, rnd() < 0.5 ? o.server : o.broadcast);
        sent.dhcp++;
      } else {
        s.send(mutate(pick(seeds.tftp), tftpSpecific), 69, o.server);
        sent.tftp++;
      }
      i++;
    }
    if (i >= total || Date.now() >= deadline) return done();
    setTimeout(tick, 10);
  };
  tick();
});

// Into running transfers: a valid RRQ, then mutated packets to the transfer's own port from the same socket.
const rrq = hex(o.seeds.rrq);
const session = (s) =>
  new Promise((done) => {
    const timer = setTimeout(() => (s.off('message', on), done()), 1500);
    const on = (_m, from) => {
      if (from.port === 69 || from.port === 67) return;
      s.off('message', on);
      clearTimeout(timer);
      for (let k = 0; k < 40; k++) {
        s.send(mutate(pick(seeds.transfer), tftpSpecific), from.port, from.address);
        sent.transfer++;
      }
      setTimeout(done, 20);
    };
    s.on('message', on);
    s.send(rrq, 69, o.server);
  });
for (let k = 0; k < o.transfers && Date.now() < deadline + 60_000; k += 16) {
  await Promise.all(sockets.slice(k % sockets.length, (k % sockets.length) + 16).map((s) => session(s)));
}
process.stdout.write(JSON.stringify({ sent, ms: Date.now() - t0 }) + '\n');
for (const s of sockets) s.close();
