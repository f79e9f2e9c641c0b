/**
 * The TFTP service against real clients on loopback: atftp (blksize, windowsize), tftp-hpa and curl fetch
 * byte-identical files; a lossy socket that drops and duplicates packets still completes.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BootEventInput } from '../../shared/model/event.ts';
import { decode, encode } from '../../shared/protocol/tftp/codec.ts';
import { directoryTree } from '../../electron/core/files/tree.ts';
import { createTftpService, type TftpService } from '../../electron/core/tftp/service.ts';
import { tempDir } from '../helpers/rackboot.ts';
import { missing, run, sha } from '../helpers/tools.ts';


const root = tempDir('rackboot-tftp-');
const out = tempDir('rackboot-tftp-out-');
const files: Record<string, Buffer> = {
  'empty.bin': Buffer.alloc(0),
  'exact-512.bin': randomBytes(512),
  'small.cfg': Buffer.from('DEFAULT install\nLABEL install\n  KERNEL vmlinuz\r\n'),
  'boot/undionly.kpxe': randomBytes(70_001),
  'big.img': randomBytes(3 * 1024 * 1024 + 17),
  // Past 65535 blocks of 512 bytes: the block number must roll over.
  'rollover.img': randomBytes(65_536 * 512 + 100),
};
const events: BootEventInput[] = [];
let service: TftpService;

beforeAll(async () => {
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(root.path, name, '..'), { recursive: true });
    writeFileSync(join(root.path, name), data);
  }
  service = createTftpService({ address: '127.0.0.1', port: 0, tree: directoryTree(root.path), emit: (e) => events.push(e), initialTimeoutMs: 200 });
  await service.start();
});
afterAll(async () => {
  await service.stop();
  root.remove();
  out.remove();
});

const fetched = (name: string) => readFileSync(join(out.path, name));

describe('TFTP service with real clients', () => {
  it.skipIf(missing('atftp')).each([
    ['exact-512.bin', []],
    ['boot/undionly.kpxe', ['--option', 'blksize 1432', '--option', 'tsize 0']],
    ['big.img', ['--option', 'blksize 1468', '--option', 'windowsize 16']],
    ['empty.bin', []],
  ])('atftp fetches %s byte-identical with %j', async (name, options) => {
    const local = `atftp-${name.replace('/', '_')}`;
    await run('atftp', [...options, '-g', '-r', name, '-l', join(out.path, local), '127.0.0.1', String(service.port())]);
    expect(sha(fetched(local))).toBe(sha(files[name]!));
  });

  it.skipIf(missing('tftp')).each(['small.cfg', 'boot/undionly.kpxe'])('tftp-hpa fetches %s byte-identical in binary mode', async (name) => {
    const local = `hpa-${name.replace('/', '_')}`;
    await run('tftp', ['-m', 'binary', '127.0.0.1', String(service.port()), '-c', 'get', name, join(out.path, local)]);
    expect(sha(fetched(local))).toBe(sha(files[name]!));
  });

  it.skipIf(missing('tftp'))('tftp-hpa in netascii mode gets CR LF line ends', async () => {
    await run('tftp', ['-m', 'netascii', '127.0.0.1', String(service.port()), '-c', 'get', 'small.cfg', join(out.path, 'ascii.cfg')]);
    // The client turns CR LF back into local LF and CR NUL back into CR: the file arrives unchanged.
    expect(fetched('ascii.cfg').toString()).toBe(files['small.cfg']!.toString());
  });

  it.skipIf(missing('curl')).each([
    ['big.img', ['--tftp-blksize', '1468']],
    ['rollover.img', ['--tftp-blksize', '512']],
  ])('curl fetches %s byte-identical with %j', async (name, options) => {
    await run('curl', ['-sS', ...options, '-o', join(out.path, `curl-${name}`), `tftp://127.0.0.1:${service.port()}/${name}`], { timeout: 60_000 });
    expect(sha(fetched(`curl-${name}`))).toBe(sha(files[name]!));
  }, 60_000);

  it('answers a missing file with error 1 and a traversal with error 2, and keeps serving', async () => {
    const ask = (filename: string) =>
      new Promise<{ op: string; code?: number }>((resolve) => {
        const s = createSocket('udp4');
        s.on('message', (m) => {
          s.close();
          resolve(decode(m).value as { op: string; code?: number });
        });
        s.send(encode({ op: 'RRQ', filename, mode: 'octet', options: [] }), service.port(), '127.0.0.1');
      });
    expect(await ask('nope.bin')).toMatchObject({ op: 'ERROR', code: 1 });
    expect(await ask('../../etc/passwd')).toMatchObject({ op: 'ERROR', code: 2 });
    expect(await ask('small.cfg')).toMatchObject({ op: 'DATA' });
  });

  it('refuses uploads', async () => {
    const reply = await new Promise<{ op: string; code?: number }>((resolve) => {
      const s = createSocket('udp4');
      s.on('message', (m) => (s.close(), resolve(decode(m).value as { op: string; code?: number })));
      s.send(encode({ op: 'WRQ', filename: 'x', mode: 'octet', options: [] }), service.port(), '127.0.0.1');
    });
    expect(reply).toMatchObject({ op: 'ERROR', code: 2 });
  });

  it('reports each transfer as events with bytes and duration', () => {
    const done = events.filter((e) => e.service === 'tftp' && e.fields?.outcome === 'ok');
    expect(done.length).toBeGreaterThan(5);
    expect(done[0]!.fields).toMatchObject({ bytes: expect.any(Number), ms: expect.any(Number), blksize: expect.any(Number) });
  });
});

/** Wraps a real socket so that sends are dropped or duplicated on a fixed pattern. */
function lossySocket(dropEvery: number, duplicateEvery: number): () => Socket {
  return () => {
    const s = createSocket('udp4');
    const send = s.send.bind(s) as (...a: unknown[]) => void;
    let n = 0;
    (s as unknown as { send: (...a: unknown[]) => void }).send = (...args: unknown[]) => {
      n++;
      if (n % dropEvery === 0) return;
      send(...args);
      if (n % duplicateEvery === 0) send(...args);
    };
    return s;
  };
}

describe('TFTP under loss and duplication', () => {
  // curl asks for a 6 s retransmission timeout (RFC 2349), which the server honours; atftp and tftp-hpa keep it short.
  it.skipIf(missing('atftp', 'tftp'))('completes byte-identical with atftp (lockstep and windowed) and tftp-hpa despite dropped and duplicated packets', async () => {
    const lossyEvents: BootEventInput[] = [];
    const lossy = createTftpService({
      address: '127.0.0.1',
      port: 0,
      tree: directoryTree(root.path),
      emit: (e) => lossyEvents.push(e),
      initialTimeoutMs: 100,
      createSocket: lossySocket(7, 5),
    });
    await lossy.start();
    const name = 'boot/undionly.kpxe';
    try {
      await run('atftp', ['--option', 'blksize 1432', '-g', '-r', name, '-l', join(out.path, 'lossy-1'), '127.0.0.1', String(lossy.port())], { timeout: 60_000 });
      await run('atftp', ['--option', 'blksize 1468', '--option', 'windowsize 8', '-g', '-r', name, '-l', join(out.path, 'lossy-2'), '127.0.0.1', String(lossy.port())], { timeout: 60_000 });
      await run('tftp', ['-m', 'binary', '127.0.0.1', String(lossy.port()), '-c', 'get', name, join(out.path, 'lossy-3')], { timeout: 60_000 });
      for (const f of ['lossy-1', 'lossy-2', 'lossy-3']) expect(sha(fetched(f))).toBe(sha(files[name]!));
      const ok = lossyEvents.filter((e) => e.fields?.outcome === 'ok');
      expect(ok.length).toBe(3);
      expect(ok.every((e) => (e.fields!.retransmits as number) > 0)).toBe(true);
    } finally {
      await lossy.stop();
    }
  }, 60_000);
});
