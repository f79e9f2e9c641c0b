/**
 * Runs inside a test network namespace (`ip netns exec NS node --import tsx nic-bind-peer.ts '{json}'`): binds
 * one UDP socket with bindUdp() and speaks JSON lines.
 *   argv[2]   BindUdpOptions as JSON
 *   stdout    first {bound: {deviceBound, note, port}} or {error: {code, syscall, message}} (then it exits),
 *             then {from, port, text} per datagram and {sent} / {sendError} per send
 *   stdin     {send: {address, port, text}} lines: sent from the bound socket
 */
import { createInterface } from 'node:readline';
import { bindUdp, type BindUdpOptions } from '../../electron/core/net/bind.ts';

const out = (value: unknown) => process.stdout.write(JSON.stringify(value) + '\n');
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(0));

const opts = JSON.parse(process.argv[2] ?? '{}') as BindUdpOptions;
try {
  const { socket, deviceBound, note } = await bindUdp(opts);
  socket.on('message', (msg, rinfo) => out({ from: rinfo.address, port: rinfo.port, text: msg.toString() }));
  out({ bound: { deviceBound, note, port: socket.address().port } });
  createInterface({ input: process.stdin }).on('line', (line) => {
    const { send } = JSON.parse(line) as { send: { address: string; port: number; text: string } };
    socket.send(send.text, send.port, send.address, (e) => out(e ? { sendError: (e as NodeJS.ErrnoException).code ?? e.message } : { sent: send }));
  });
} catch (e) {
  const err = e as NodeJS.ErrnoException;
  out({ error: { code: err.code ?? null, syscall: err.syscall ?? null, message: err.message } });
  process.exit(0);
}
