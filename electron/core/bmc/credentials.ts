/**
 * Each machine's BMC: where it is, how to talk to it, and its password, kept out of the log, the renderer
 * and the database. `<data>/bmc.json` (mode 0600) holds the settings and the password encrypted by a
 * SecretBox: in the Electron app, safeStorage (the OS keychain) through electron/main; headless, AES-256-GCM
 * with a random key in `<data>/bmc.key` (mode 0600, made on first use). A file copied without its key (or
 * to another user's keychain) yields settings and no passwords, which `get` reports as such.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { BmcError } from '../../../shared/api/errors.ts';
import { parseMac } from '../../../shared/net/ipv4.ts';
import { normalizeFingerprint } from './redfish.ts';

/** Encrypts and decrypts short secrets (passwords). */
export interface SecretBox {
  readonly kind: 'key-file' | 'safe-storage';
  seal(plain: string): string;
  /** Throws when the blob was sealed with another key. */
  open(sealed: string): string;
}

export const BmcSettingsSchema = z
  .object({
    protocol: z.enum(['ipmi', 'redfish']),
    host: z.string().min(1).max(253).regex(/^[^\s/]+$/, 'a host name or address'),
    port: z.number().int().min(1).max(65535).nullable().default(null),
    username: z.string().max(64).default(''),
    /** IPMI: 17, 3 or auto. */
    cipherSuite: z.union([z.literal(3), z.literal(17), z.literal('auto')]).default('auto'),
    /** Redfish: the confirmed SHA-256 certificate fingerprint. */
    fingerprint: z
      .string()
      .nullable()
      .default(null)
      .refine((v) => v === null || normalizeFingerprint(v) !== null, 'a SHA-256 fingerprint (64 hex digits)'),
    /** Boot mode to ask for; null: from the machine's firmware as rackboot saw it (UEFI when unknown). */
    mode: z.enum(['uefi', 'legacy']).nullable().default(null),
  })
  .strict();
export type BmcSettings = z.infer<typeof BmcSettingsSchema>;

const FileSchema = z.object({ version: z.literal(1), machines: z.record(z.string(), z.object({ settings: BmcSettingsSchema, password: z.string().nullable() })) });

export interface StoredBmc extends BmcSettings {
  mac: string;
  /** A password is stored (never the password itself). */
  hasPassword: boolean;
  /** A password is stored but this key (or keychain) cannot open it. */
  passwordUnreadable: boolean;
}

export interface BmcCredentials {
  readonly secretKind: SecretBox['kind'];
  list(): StoredBmc[];
  get(mac: string): StoredBmc | null;
  /** The settings and the password to use; null when the machine has no BMC. */
  secret(mac: string): { settings: BmcSettings; password: string } | null;
  /** `password` undefined keeps the stored one, null removes it. */
  set(mac: string, settings: z.input<typeof BmcSettingsSchema>, password?: string | null): StoredBmc;
  /** After the technician confirmed a Redfish certificate. */
  pin(mac: string, fingerprint: string): StoredBmc;
  remove(mac: string): boolean;
}

/** AES-256-GCM with a 0600 key file: `v1:<iv>:<tag>:<ciphertext>` in base64. */
export function keyFileBox(path: string): SecretBox {
  let key: Buffer;
  if (existsSync(path)) {
    key = readFileSync(path);
    if (key.length !== 32) throw new Error(`${path} is not a rackboot key (32 bytes); move it away to start with a new one (stored BMC passwords are then lost)`);
    chmodSync(path, 0o600);
  } else {
    key = randomBytes(32);
    writeFileSync(path, key, { mode: 0o600, flag: 'wx' });
  }
  return {
    kind: 'key-file',
    seal(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return ['v1', iv.toString('base64'), c.getAuthTag().toString('base64'), body.toString('base64')].join(':');
    },
    open(sealed) {
      const [v, iv, tag, body] = sealed.split(':');
      if (v !== 'v1' || !iv || !tag || body === undefined) throw new Error('not a sealed secret');
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      d.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([d.update(Buffer.from(body, 'base64')), d.final()]).toString('utf8');
    },
  };
}

function canonical(mac: string): string {
  const m = parseMac(mac);
  if (!m) throw new BmcError('BMC_BAD_TARGET', `${JSON.stringify(mac)} is not a MAC address`);
  return m;
}

export function createBmcCredentials(o: { dataDir: string; box?: SecretBox }): BmcCredentials {
  mkdirSync(o.dataDir, { recursive: true });
  const file = join(o.dataDir, 'bmc.json');
  let box: SecretBox | null = o.box ?? null;
  const getBox = () => (box ??= keyFileBox(join(o.dataDir, 'bmc.key')));
  const load = (): z.infer<typeof FileSchema> => {
    if (!existsSync(file)) return { version: 1, machines: {} };
    const parsed = FileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    // Settings are re-validated on load (CONVENTIONS §9): a hand-edited file that fails is refused, not half-used.
    if (!parsed.success) throw new Error(`${file} is not valid: ${parsed.error.issues[0]?.message ?? 'schema'}`);
    return parsed.data;
  };
  const save = (data: z.infer<typeof FileSchema>) => {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, file);
  };
  const readable = (sealed: string | null) => {
    if (sealed === null) return null;
    try {
      return getBox().open(sealed);
    } catch {
      return undefined;
    }
  };
  const view = (mac: string, e: { settings: BmcSettings; password: string | null }): StoredBmc => {
    const pw = readable(e.password);
    return { mac, ...e.settings, hasPassword: e.password !== null, passwordUnreadable: e.password !== null && pw === undefined };
  };
  return {
    get secretKind() {
      return getBox().kind;
    },
    list: () =>
      Object.entries(load().machines)
        .map(([mac, e]) => view(mac, e))
        .sort((a, b) => a.mac.localeCompare(b.mac)),
    get(mac) {
      const key = canonical(mac);
      const e = load().machines[key];
      return e ? view(key, e) : null;
    },
    secret(mac) {
      const key = canonical(mac);
      const e = load().machines[key];
      if (!e) return null;
      const pw = readable(e.password);
      if (pw === undefined) throw new BmcError('BMC_AUTH_FAILED', `the stored BMC password of ${key} cannot be decrypted here (another computer or user): enter it again`);
      return { settings: e.settings, password: pw ?? '' };
    },
    set(mac, settings, password) {
      const key = canonical(mac);
      const parsed = BmcSettingsSchema.safeParse(settings);
      if (!parsed.success) throw new BmcError('BMC_BAD_TARGET', `BMC settings for ${key}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('; ')}`);
      const s = parsed.data;
      if (s.fingerprint) s.fingerprint = normalizeFingerprint(s.fingerprint);
      const data = load();
      const before = data.machines[key];
      const sealed = password === undefined ? (before?.password ?? null) : password === null ? null : getBox().seal(password);
      data.machines[key] = { settings: s, password: sealed };
      save(data);
      return view(key, data.machines[key]!);
    },
    pin(mac, fingerprint) {
      const key = canonical(mac);
      const fp = normalizeFingerprint(fingerprint);
      if (!fp) throw new BmcError('BMC_BAD_TARGET', `${JSON.stringify(fingerprint)} is not a SHA-256 fingerprint`);
      const data = load();
      const e = data.machines[key];
      if (!e) throw new BmcError('BMC_NOT_SET', `no BMC is set for ${key}`);
      e.settings.fingerprint = fp;
      save(data);
      return view(key, e);
    },
    remove(mac) {
      const key = canonical(mac);
      const data = load();
      if (!data.machines[key]) return false;
      delete data.machines[key];
      save(data);
      return true;
    },
  };
}
