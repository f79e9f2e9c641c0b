/** The addon's synchronous UDP send, as the TFTP and DHCP hot paths use it, against a real receiver on loopback. */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { bindUdp, fastUdpSend, nativeNetStatus } from '../../electron/core/net/bind.ts';

const status = nativeNetStatus();
if (!status.available) console.log(`[skip] fast UDP send: ${status.reason}`);

describe.skipIf(!status.available)('fastUdpSend', () => {
  it('sends to an address, and on a connected socket without one; datagrams arrive intact', async () => {
    const receiver = createSocket('udp4');
    await new Promise<void>((ok) => receiver.bind(0, '127.0.0.1', () => ok()));
    const got: string[] = [];
    receiver.on('message', (m) => got.push(m.toString()));
    const { socket } = await bindUdp({ port: 0, address: '127.0.0.1' });
    const send = fastUdpSend(socket);
    expect(send).not.toBeNull();
    expect(send!(Buffer.from('to an address'), receiver.address().port, '127.0.0.1')).toBe(true);
    socket.connect(receiver.address().port, '127.0.0.1');
    await once(socket, 'connect');
    expect(send!(Buffer.from('connected'))).toBe(true);
    await expect.poll(() => got).toEqual(['to an address', 'connected']);
    socket.close();
    receiver.close();
  });
});
