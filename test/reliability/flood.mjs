// A packet flood from inside a client namespace (node flood.mjs '{json}'): sends the given packets round-robin
// from one UDP socket as fast as the loop allows, for `seconds` or until `count` were sent, and prints
// {"sent": N, "ms": M} when done. Traffic stays in the test namespace (198.18.0.0/15).
//   {bind: {address, port}, to: {address, port}, packets: [hex...], seconds?, count?, broadcast?, sockets?}
import { createSocket } from 'node:dgram';

const o = JSON.parse(process.argv[2]);
if (!/^198\.(18|19)\./.test(o.to.address)) throw new Error(`floods stay inside 198.18.0.0/15, not ${o.to.address}`);
const packets = o.packets.map((h) => Buffer.from(h, 'hex'));
// Several ports of one address (`sockets`, default 1): each port is a TID of its own to a TFTP server.
const sockets = [];
for (let n = 0; n < (o.sockets ?? 1); n++) {
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  socket.on('error', () => {}); // ICMP unreachable and the like: a flood does not care
  socket.on('message', () => {});
  await new Promise((ok) => socket.bind(o.bind?.port ?? 0, o.bind?.address ?? '0.0.0.0', ok));
  if (o.broadcast) socket.setBroadcast(true);
  sockets.push(socket);
}
const until = Date.now() + (o.seconds ?? 3600) * 1000;
const count = o.count ?? Infinity;
let sent = 0;
let i = 0;
const t0 = Date.now();
await new Promise((done) => {
  const burst = () => {
    for (let k = 0; k < 64 && sent < count; k++, sent++, i++) sockets[i % sockets.length].send(packets[i % packets.length], o.to.port, o.to.address);
    if (sent >= count || Date.now() >= until) return done();
    setImmediate(burst);
  };
  burst();
});
// Let dgram's queue drain before reporting.
await new Promise((r) => setTimeout(r, 200));
process.stdout.write(JSON.stringify({ sent, ms: Date.now() - t0 }) + '\n');
for (const s of sockets) s.close();
