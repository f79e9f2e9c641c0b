/**
 * Minimal clients that send exactly the bytes a test wrote (no normalising of paths, no retries), for hostile
 * requests: a lockstep TFTP reader and a raw HTTP/1.1 request over TCP.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

export interface TftpResult {
  /** DATA bytes received (the file, or as much of it as came). */
  data: Buffer;
  /** Every datagram the server sent, raw (ERROR texts included), for grepping. */
  raw: Buffer;
  error: { code: number; message: string } | null;
  timedOut: boolean;
}

/** Sends `request` (a raw RRQ) to host:port and ACKs DATA in lockstep until the last block, an ERROR, or `ms` of silence. */
export function tftpFetch(host: string, port: number, request: Uint8Array, ms = 1500, from = '127.0.0.1'): Promise<TftpResult> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const chunks: Buffer[] = [];
    const raw: Buffer[] = [];
    let last = 0;
    let timer: NodeJS.Timeout;
    const end = (error: TftpResult['error'], timedOut = false) => {
      clearTimeout(timer);
      s.close();
      resolve({ data: Buffer.concat(chunks), raw: Buffer.concat(raw), error, timedOut });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => end(null, true), ms);
    };
    s.on('error', () => end({ code: -1, message: 'socket error' }));
    s.on('message', (m, from) => {
      raw.push(m);
      arm();
      const op = m.readUInt16BE(0);
      if (op === 5) return end({ code: m.readUInt16BE(2), message: m.subarray(4).toString('latin1').replace(/\0.*$/s, '') });
      if (op === 6) {
        // OACK: accept whatever was granted (ACK 0); only blksize matters for "last block" below, and these
        // requests ask for no options.
        s.send(Buffer.from([0, 4, 0, 0]), from.port, from.address);
        return;
      }
      if (op !== 3) return;
      const block = m.readUInt16BE(2);
      if (block === ((last + 1) & 0xffff)) {
        chunks.push(m.subarray(4));
        last = block;
      }
      s.send(Buffer.from([0, 4, block >> 8, block & 255]), from.port, from.address);
      if (m.length < 4 + 512) end(null);
    });
    s.bind(0, from, () => {
      s.send(request, port, host);
      arm();
    });
  });
}

/** One raw HTTP/1.1 GET with `target` exactly as given; resolves with everything the server sent before closing. */
export function httpRaw(host: string, port: number, target: string | Buffer, ms = 3000): Promise<Buffer> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    const got: Buffer[] = [];
    const timer = setTimeout(() => s.destroy(), ms);
    s.on('data', (d) => got.push(d));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(got));
    });
    const t = typeof target === 'string' ? Buffer.from(target, 'latin1') : target;
    s.write(Buffer.concat([Buffer.from('GET '), t, Buffer.from(` HTTP/1.1\r\nHost: ${host}:${port}\r\nUser-Agent: rackboot-reliability\r\nConnection: close\r\n\r\n`)]));
  });
}
