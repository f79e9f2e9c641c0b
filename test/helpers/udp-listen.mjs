// Runs inside a test network namespace: binds a UDP port on all addresses and prints each datagram as one
// JSON line {from, port, hex}. Plain JavaScript so `ip netns exec ... node` needs no loader.
import { createSocket } from 'node:dgram';

const port = Number(process.argv[2] ?? 67);
const socket = createSocket({ type: 'udp4', reuseAddr: true });
socket.on('message', (msg, rinfo) => {
  process.stdout.write(JSON.stringify({ from: rinfo.address, port: rinfo.port, hex: msg.toString('hex') }) + '\n');
});
socket.on('error', (e) => {
  process.stderr.write(`udp-listen: ${e.message}\n`);
  process.exit(1);
});
socket.bind(port, '0.0.0.0', () => process.stdout.write(JSON.stringify({ listening: port }) + '\n'));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
