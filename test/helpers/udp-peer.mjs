// Runs inside a test network namespace (`ip netns exec NS node udp-peer.mjs '{json}'`): one UDP socket that
// sends what it is told and prints what it hears, as JSON lines. Plain JavaScript so it needs no loader.
//   argv[2]  {"address": "0.0.0.0", "port": 68, "broadcast": true}   where to bind
//   stdin    {"send": {"hex", "address", "port"}, "id"?: any} per datagram; with an id, {"sent": id} (or
//            {"sendError": code, "id"}) is printed once that datagram has left. Sends go out in order.
//            {"pause": ms} waits before the next line is read (pacing a flood).
//   stdout   {"listening": port} first, then {"from", "port", "hex"} per datagram received
import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';

const out = (value) => process.stdout.write(JSON.stringify(value) + '\n');
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));

const opts = { address: '0.0.0.0', port: 68, broadcast: true, ...JSON.parse(process.argv[2] ?? '{}') };
const socket = createSocket({ type: 'udp4', reuseAddr: true });
socket.on('message', (msg, rinfo) => out({ from: rinfo.address, port: rinfo.port, hex: msg.toString('hex') }));
socket.on('error', (e) => {
  process.stderr.write(`udp-peer: ${e.message}\n`);
  process.exit(1);
});
socket.bind(opts.port, opts.address, async () => {
  if (opts.broadcast) socket.setBroadcast(true);
  out({ listening: socket.address().port });
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const msg = JSON.parse(line);
    if (msg.pause !== undefined) {
      await new Promise((r) => setTimeout(r, msg.pause));
      continue;
    }
    const { hex, address, port } = msg.send;
    socket.send(Buffer.from(hex, 'hex'), port, address, (e) => {
      if (e) out({ sendError: e.code ?? e.message, id: msg.id ?? null });
      else if (msg.id !== undefined) out({ sent: msg.id });
    });
  }
});
