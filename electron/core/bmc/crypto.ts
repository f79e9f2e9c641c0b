/** node:crypto behind the pure codecs' IpmiCrypto interface (shared/protocol/ipmi/session.ts). */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { IpmiCrypto } from '../../../shared/protocol/ipmi/session.ts';

export const nodeIpmiCrypto: IpmiCrypto = {
  hmac: (hash, key, data) => new Uint8Array(createHmac(hash, key).update(data).digest()),
  aes128Cbc(direction, key, iv, data) {
    const c = direction === 'encrypt' ? createCipheriv('aes-128-cbc', key, iv) : createDecipheriv('aes-128-cbc', key, iv);
    c.setAutoPadding(false);
    return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
  },
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
};
