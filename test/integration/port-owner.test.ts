/**
 * Pre-flight: a port rackboot needs is taken; the failure names the program holding it (Linux /proc), so the
 * technician knows what to stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NetInterface } from '../../shared/api/contract.ts';
import { createBootServer } from '../../electron/core/server.ts';
import { portOwner } from '../../electron/core/net/port-owner.ts';
import { tempDir } from '../helpers/rackboot.ts';

const nics: NetInterface[] = [{ name: 'lo', mac: null, up: true, loopback: true, wireless: false, mtu: 65536, ipv4: [{ address: '127.0.0.1', prefix: 8, network: '127.0.0.0' }] }];
const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.kill('SIGKILL')));

/** A python3 process holding a UDP or TCP port on 127.0.0.1; resolves once it is bound. */
function holdPort(proto: 'udp' | 'tcp', port: number): Promise<ChildProcess> {
  const code = `import socket,sys,time\ns=socket.socket(socket.AF_INET, socket.SOCK_${proto === 'udp' ? 'DGRAM' : 'STREAM'})\ns.bind(('127.0.0.1', ${port}))\n${proto === 'tcp' ? 's.listen(1)\n' : ''}print('bound', flush=True)\ntime.sleep(120)\n`;
  const child = spawn('python3', ['-c', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (c) => reject(new Error(`python3 exited ${c}`)));
  });
}

describe.skipIf(process.platform !== 'linux')('who holds a port', () => {
  it('finds the process behind a UDP and a TCP port, and nothing behind a free one', async () => {
    const base = 20000 + Math.floor(Math.random() * 40000);
    const udp = await holdPort('udp', base);
    const tcp = await holdPort('tcp', base + 1);
    expect(portOwner('udp', base)).toEqual({ pid: udp.pid, name: 'python3' });
    expect(portOwner('tcp', base + 1)).toEqual({ pid: tcp.pid, name: 'python3' });
    expect(portOwner('udp', base + 2)).toBeNull();
  });

  it('a TFTP port in use fails the start with PORT_IN_USE and names the holder', async () => {
    const base = 20000 + Math.floor(Math.random() * 40000);
    const holder = await holdPort('udp', base + 1);
    const dir = tempDir('rackboot-port-owner-');
    const core = createBootServer({ dataDir: join(dir.path, 'data'), listInterfaces: () => nics, dhcpPorts: { server: 0, client: 0, proxy: 0 } });
    try {
      await core.api.setSettings({ interface: 'lo', dhcpMode: 'off', httpPort: base, tftpPort: base + 1 });
      await expect(core.api.startServer(undefined)).rejects.toMatchObject({ code: 'PORT_IN_USE', message: expect.stringContaining(`held by python3, pid ${holder.pid}`) });
    } finally {
      await core.close();
      dir.remove();
    }
  });
});
