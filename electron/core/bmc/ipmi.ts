/**
 * IPMI v2.0 over LAN (RMCP+, UDP 623) in TypeScript, so power and boot-device control work on Windows and
 * macOS without ipmitool (issue 12). One session per call: Get Channel Authentication Capabilities, Open
 * Session, RAKP 1-4 (cipher suite 17, else 3), Set Session Privilege Level, the commands, Close Session.
 * Every exchange has a timeout and retries; answers are matched by payload type, tag and rqSeq, and replayed
 * or stale packets are dropped. Failures are BmcErrors a technician can act on: wrong password, unsupported
 * cipher suite, no answer, BMC busy, refused command (with the completion code in words).
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { BmcError } from '../../../shared/api/errors.ts';
import { bytesEqual, hex } from '../../../shared/protocol/bytes.ts';
import { ProtocolError } from '../../../shared/protocol/errors.ts';
import {
  BOOT_OPTION_CODES,
  BootParam,
  bootDeviceSteps,
  chassisControl,
  closeSession,
  decodeBootFlags,
  decodeBootOption,
  decodeChannelAuthCapabilities,
  decodeChassisStatus,
  decodeDeviceId,
  getChannelAuthCapabilities,
  getChassisStatus,
  getDeviceId,
  getSystemBootOption,
  SET_PRIVILEGE_CODES,
  setSessionPrivilege,
  type BootDeviceRequest,
  type BootFlags,
  type ChannelAuthCapabilities,
  type ChassisStatus,
  type Command,
  type DeviceId,
} from '../../../shared/protocol/ipmi/commands.ts';
import { BMC_ADDRESS, CompletionCode, completionText, decodeResponse, encodeRequest, REMOTE_CONSOLE_SWID, RETRYABLE_COMPLETION_CODES } from '../../../shared/protocol/ipmi/message.ts';
import {
  CIPHER_REFUSED_STATUSES,
  CIPHER_SUITES,
  decodeOpenSessionResponse,
  decodeRakp2,
  decodeRakp4,
  deriveKeys,
  encodeOpenSessionRequest,
  encodeRakp1,
  encodeRakp3,
  NAME_ONLY_LOOKUP,
  Privilege,
  rakpStatusName,
  sessionSecurity,
  userKey,
  type CipherSuite,
} from '../../../shared/protocol/ipmi/rakp.ts';
import { decodeAsf, encodeAsf, RMCP_PORT } from '../../../shared/protocol/ipmi/rmcp.ts';
import { AuthType, decodeIpmiPacket, encodeIpmiPacket, open, PayloadType, seal, type SessionSecurity } from '../../../shared/protocol/ipmi/session.ts';
import { nodeIpmiCrypto } from './crypto.ts';

export interface IpmiOptions {
  host: string;
  port?: number;
  username: string;
  password: string;
  /** 17 (SHA256) or 3 (SHA1); 'auto' (the default) offers 17 and falls back to 3 when the BMC refuses it. */
  cipherSuite?: number | 'auto';
  /** Privilege::ADMINISTRATOR unless told; chassis control needs OPERATOR at least. */
  privilege?: number;
  /** The BMC key (Kg) for BMCs set up for two-key login. */
  kg?: Uint8Array;
  /** Per try (default 1000 ms). */
  timeoutMs?: number;
  /** Tries after the first (default 3). */
  retries?: number;
  /** Every IPMI command and its answer (never credentials): CLI --verbose, tests comparing with ipmitool. */
  onCommand?: (trace: CommandTrace) => void;
}

export interface CommandTrace {
  netFn: number;
  cmd: number;
  data: Uint8Array;
  /** Null when no answer came. */
  completionCode: number | null;
  response: Uint8Array | null;
}

export interface BootDeviceResult {
  /** Each Set System Boot Options step and its completion code, in order (what ipmitool also sends). */
  steps: { step: string; completionCode: number }[];
}

export interface IpmiSession {
  readonly cipherSuite: number;
  readonly capabilities: ChannelAuthCapabilities;
  deviceId(): Promise<DeviceId>;
  chassisStatus(): Promise<ChassisStatus>;
  chassisControl(action: number): Promise<void>;
  /** Sets the boot device as `ipmitool chassis bootdev` does; throws BMC_REFUSED when the BMC refuses the flags. */
  setBootDevice(request: BootDeviceRequest): Promise<BootDeviceResult>;
  bootFlags(): Promise<BootFlags>;
  /** Any command (as `ipmitool raw`); throws BMC_REFUSED for a non-zero completion code. */
  raw(command: Command, codes?: Record<number, string>): Promise<Uint8Array>;
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 1000;
const DEFAULT_RETRIES = 3;
/** How often a command answered "busy" is sent again, and how long to wait between. */
const BUSY_RETRIES = 3;
const BUSY_DELAY_MS = 500;

const where = (o: { host: string; port?: number }) => `${o.host}:${o.port ?? RMCP_PORT}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A connected UDP socket with "send, wait for the matching answer, resend on timeout". */
class Link {
  private waiter: ((reply: Uint8Array) => void) | null = null;
  private lastError: Error | null = null;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly target: string,
    private readonly timeoutMs: number,
    private readonly retries: number,
  ) {
    socket.on('message', (msg) => this.waiter?.(new Uint8Array(msg)));
    // A connected UDP socket reports ICMP port unreachable as ECONNREFUSED: remembered, and the tries go on.
    socket.on('error', (e) => (this.lastError = e));
  }

  static async connect(o: IpmiOptions): Promise<Link> {
    const port = o.port ?? RMCP_PORT;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new BmcError('BMC_BAD_TARGET', `port must be 1 to 65535, not ${o.port}`);
    if (!o.host || /[\s/]/.test(o.host)) throw new BmcError('BMC_BAD_TARGET', `${JSON.stringify(o.host)} is not a host name or address`);
    const socket = createSocket(isIP(o.host) === 6 ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.connect(port, o.host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      socket.close();
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') throw new BmcError('BMC_BAD_TARGET', `cannot resolve the BMC host name ${o.host} (${err.code})`);
      throw new BmcError('BMC_UNREACHABLE', `cannot reach ${where(o)}: ${err.message}`);
    }
    return new Link(socket, where(o), o.timeoutMs ?? DEFAULT_TIMEOUT_MS, o.retries ?? DEFAULT_RETRIES);
  }

  /**
   * Sends `build()` (called again for each try: a new session sequence number each time) and resolves with
   * the first reply `accept` takes. `accept` returns undefined for a packet that is not the answer (stale,
   * another exchange's) and throws ProtocolError for one that is broken; both are dropped and the wait goes on.
   */
  async exchange<T>(what: string, build: () => Uint8Array, accept: (reply: Uint8Array) => T | undefined, tries = this.retries + 1): Promise<T> {
    if (this.closed) throw new BmcError('BMC_PROTOCOL', `${what}: the session is closed`);
    let broken: ProtocolError | null = null;
    for (let attempt = 0; attempt < tries; attempt++) {
      const result = await new Promise<{ value: T } | null>((resolve) => {
        const timer = setTimeout(() => {
          this.waiter = null;
          resolve(null);
        }, this.timeoutMs);
        this.waiter = (reply) => {
          let value: T | undefined;
          try {
            value = accept(reply);
          } catch (e) {
            if (e instanceof ProtocolError) {
              broken = e;
              return;
            }
            throw e;
          }
          if (value === undefined) return;
          clearTimeout(timer);
          this.waiter = null;
          resolve({ value });
        };
        this.socket.send(build());
      });
      if (result) return result.value;
    }
    if (broken) throw new BmcError('BMC_PROTOCOL', `${what}: ${this.target} answered with packets rackboot cannot use (${(broken as ProtocolError).message})`);
    const refused = (this.lastError as NodeJS.ErrnoException | null)?.code === 'ECONNREFUSED';
    throw new BmcError(
      'BMC_UNREACHABLE',
      refused
        ? `${what}: nothing listens on ${this.target} (connection refused): check the BMC address and port`
        : `${what}: no answer from ${this.target} after ${tries} tries of ${this.timeoutMs} ms: check the BMC address, that IPMI over LAN is enabled, and the network between`,
      { tries, timeoutMs: this.timeoutMs },
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.waiter = null;
    this.socket.close();
  }
}

/** A random non-zero 32-bit session ID for our side. */
function consoleSessionId(): number {
  const b = nodeIpmiCrypto.randomBytes(4);
  const id = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  return id === 0 ? 1 : id;
}

function suitesToTry(o: IpmiOptions): CipherSuite[] {
  const wanted = o.cipherSuite ?? 'auto';
  if (wanted === 'auto') return [CIPHER_SUITES[17]!, CIPHER_SUITES[3]!];
  const suite = CIPHER_SUITES[wanted];
  if (!suite) throw new BmcError('BMC_BAD_TARGET', `cipher suite ${wanted} is not one rackboot speaks (${Object.keys(CIPHER_SUITES).join(', ')})`);
  return [suite];
}

/** The message sequencing and protection of one active session. */
class Session implements IpmiSession {
  private sequence = 0;
  private rqSeq = 0;
  /** Inbound sequence numbers seen recently, to drop replays (§6.12.13 sliding window). */
  private seen: number[] = [];
  private closed = false;

  constructor(
    private readonly link: Link,
    private readonly o: IpmiOptions,
    readonly cipherSuite: number,
    readonly capabilities: ChannelAuthCapabilities,
    private readonly bmcSessionId: number,
    private readonly consoleId: number,
    private readonly security: SessionSecurity,
  ) {}

  private fresh(seq: number): boolean {
    if (seq === 0 || this.seen.includes(seq)) return false;
    const highest = this.seen.length ? Math.max(...this.seen) : 0;
    // Accept up to 16 behind the highest (reordering), as §6.12.13 allows; older ones are replays.
    if (highest > 16 && seq < highest - 16) return false;
    this.seen.push(seq);
    if (this.seen.length > 32) this.seen.shift();
    return true;
  }

  /** One command; a non-zero completion code is returned, not thrown. */
  async send(command: Command): Promise<{ completionCode: number; data: Uint8Array }> {
    const rqSeq = (this.rqSeq = (this.rqSeq + 1) & 0x3f);
    const message = encodeRequest({ rsAddr: BMC_ADDRESS, netFn: command.netFn, rsLun: 0, rqAddr: REMOTE_CONSOLE_SWID, rqSeq, rqLun: 0, cmd: command.cmd, data: command.data });
    const what = `IPMI command ${hex(Uint8Array.of(command.netFn))}/${hex(Uint8Array.of(command.cmd))}`;
    let trace: CommandTrace = { netFn: command.netFn, cmd: command.cmd, data: command.data, completionCode: null, response: null };
    try {
      const reply = await this.link.exchange(
        what,
        () => {
          this.sequence = (this.sequence + 1) >>> 0 || 1;
          return seal({ payloadType: PayloadType.IPMI, sessionId: this.bmcSessionId, sequence: this.sequence, payload: message, security: this.security, crypto: nodeIpmiCrypto });
        },
        (bytes) => {
          const opened = open(bytes, this.security, nodeIpmiCrypto);
          if (opened.payloadType !== PayloadType.IPMI || opened.sessionId !== this.consoleId) return undefined;
          const res = decodeResponse(opened.payload).value;
          if (res.rqSeq !== rqSeq || res.cmd !== command.cmd || res.netFn !== (command.netFn | 1)) return undefined;
          if (!this.fresh(opened.sequence)) return undefined;
          return res;
        },
      );
      trace = { ...trace, completionCode: reply.completionCode, response: reply.data };
      return { completionCode: reply.completionCode, data: reply.data };
    } finally {
      this.o.onCommand?.(trace);
    }
  }

  async raw(command: Command, codes: Record<number, string> = {}): Promise<Uint8Array> {
    for (let attempt = 0; ; attempt++) {
      const { completionCode, data } = await this.send(command);
      if (completionCode === CompletionCode.OK) return data;
      if (RETRYABLE_COMPLETION_CODES.includes(completionCode) && attempt < BUSY_RETRIES) {
        await sleep(BUSY_DELAY_MS);
        continue;
      }
      throw refused(command, completionCode, codes);
    }
  }

  async deviceId(): Promise<DeviceId> {
    return wrapDecode(() => this.raw(getDeviceId()), decodeDeviceId);
  }

  async chassisStatus(): Promise<ChassisStatus> {
    return wrapDecode(() => this.raw(getChassisStatus()), decodeChassisStatus);
  }

  async chassisControl(action: number): Promise<void> {
    await this.raw(chassisControl(action));
  }

  async setBootDevice(request: BootDeviceRequest): Promise<BootDeviceResult> {
    const steps = bootDeviceSteps(request);
    const done: BootDeviceResult['steps'] = [];
    const step = async (i: number) => {
      const { completionCode } = await this.send(steps[i]!.command);
      done.push({ step: steps[i]!.step, completionCode });
      return completionCode;
    };
    // ipmitool's order (lib/ipmi_chassis.c): a BMC that refuses "set in progress" is not asked about
    // parameter 0 again; a refused BIOS acknowledge clear is not fatal; commit only after the flags took.
    const useProgress = (await step(0)) === CompletionCode.OK;
    await step(1);
    const flags = await step(2);
    if (flags === CompletionCode.OK && useProgress) await step(3);
    if (useProgress) await step(4);
    if (flags !== CompletionCode.OK) {
      throw new BmcError('BMC_REFUSED', `the BMC refused the boot device (Set System Boot Options, boot flags): ${completionText(flags, BOOT_OPTION_CODES)}`, {
        completionCode: flags,
        steps: done,
      });
    }
    return { steps: done };
  }

  async bootFlags(): Promise<BootFlags> {
    const data = await this.raw(getSystemBootOption(BootParam.BOOT_FLAGS), BOOT_OPTION_CODES);
    return wrapDecode(
      async () => data,
      (d) => decodeBootFlags(decodeBootOption(d).data),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      // One short try: a BMC that does not answer frees the slot on its own session timeout.
      // A refusal (CLOSE_SESSION_CODES: invalid session ID) changes nothing: the session is gone either way.
      await this.send(closeSession(this.bmcSessionId));
    } catch {
      // Best effort.
    } finally {
      this.link.close();
    }
  }
}

async function wrapDecode<T>(get: () => Promise<Uint8Array>, decode: (d: Uint8Array) => T): Promise<T> {
  const data = await get();
  try {
    return decode(data);
  } catch (e) {
    if (e instanceof ProtocolError) throw new BmcError('BMC_PROTOCOL', `the BMC's answer does not decode: ${e.message}`);
    throw e;
  }
}

function refused(command: Command, code: number, codes: Record<number, string>): BmcError {
  const text = completionText(code, codes);
  const name = `netFn ${command.netFn.toString(16).padStart(2, '0')}h command ${command.cmd.toString(16).padStart(2, '0')}h`;
  if (RETRYABLE_COMPLETION_CODES.includes(code)) return new BmcError('BMC_BUSY', `the BMC stayed busy (${name}: ${text}): try again in a minute`, { completionCode: code });
  if (code === CompletionCode.INSUFFICIENT_PRIVILEGE) return new BmcError('BMC_AUTH_FAILED', `the BMC user may not do this (${name}: ${text}): it needs the operator or administrator privilege`, { completionCode: code });
  return new BmcError('BMC_REFUSED', `the BMC refused ${name}: ${text}`, { completionCode: code });
}

/** Get Channel Authentication Capabilities, outside a session (IPMI v1.5 header, no authentication). */
async function channelCapabilities(link: Link, privilege: number): Promise<ChannelAuthCapabilities> {
  const command = getChannelAuthCapabilities(privilege);
  const request = encodeRequest({ rsAddr: BMC_ADDRESS, netFn: command.netFn, rsLun: 0, rqAddr: REMOTE_CONSOLE_SWID, rqSeq: 0, rqLun: 0, cmd: command.cmd, data: command.data });
  const reply = await link.exchange(
    'Get Channel Authentication Capabilities',
    () => encodeIpmiPacket({ format: 'v1.5', authType: AuthType.NONE, sequence: 0, sessionId: 0, authCode: null, payload: request }),
    (bytes) => {
      const s = decodeIpmiPacket(bytes).value;
      // ipmi_sim answers in the v1.5 format it was asked in; some BMCs answer in v2.0 (unauthenticated).
      const res = decodeResponse(s.payload).value;
      return res.cmd === command.cmd ? res : undefined;
    },
  );
  if (reply.completionCode !== CompletionCode.OK) {
    // An IPMI v1.5-only BMC answers the v2.0 form (channel bit 7) with invalid data field (§22.13).
    if (reply.completionCode === CompletionCode.INVALID_DATA_FIELD) throw new BmcError('BMC_CIPHER_UNSUPPORTED', 'the BMC speaks only IPMI v1.5, not v2.0 (RMCP+): rackboot needs RMCP+');
    throw new BmcError('BMC_REFUSED', `Get Channel Authentication Capabilities: ${completionText(reply.completionCode)}`, { completionCode: reply.completionCode });
  }
  try {
    return decodeChannelAuthCapabilities(reply.data);
  } catch (e) {
    throw new BmcError('BMC_PROTOCOL', `Get Channel Authentication Capabilities: ${(e as Error).message}`);
  }
}

const PRIVILEGE_NAMES: Record<number, string> = { 2: 'user', 3: 'operator', 4: 'administrator' };

/** Open Session + RAKP 1-4 for one suite: the session, or the reason the suite was refused. */
async function handshake(link: Link, o: IpmiOptions, suite: CipherSuite, privilege: number, caps: ChannelAuthCapabilities): Promise<Session | { refused: string }> {
  const crypto = nodeIpmiCrypto;
  const consoleId = consoleSessionId();
  const tag = crypto.randomBytes(1)[0]! & 0x3f;
  const open0 = encodeOpenSessionRequest({ tag, maxPrivilege: privilege === Privilege.ADMINISTRATOR ? 0 : privilege, consoleSessionId: consoleId, auth: suite.auth, integrity: suite.integrity, confidentiality: suite.confidentiality });
  const unsealed = (payloadType: number, payload: Uint8Array) => () => seal({ payloadType, sessionId: 0, sequence: 0, payload, security: null, crypto });
  const setup = <T>(expected: number, decode: (p: Uint8Array) => T & { tag: number }) => (bytes: Uint8Array) => {
    const opened = open(bytes, null, crypto);
    if (opened.payloadType !== expected) return undefined;
    const value = decode(opened.payload);
    return value.tag === tag ? value : undefined;
  };

  const openRes = await link.exchange('Open Session', unsealed(PayloadType.OPEN_SESSION_REQUEST, open0), setup(PayloadType.OPEN_SESSION_RESPONSE, (p) => decodeOpenSessionResponse(p).value));
  if (openRes.status !== 0) {
    if (CIPHER_REFUSED_STATUSES.includes(openRes.status)) return { refused: rakpStatusName(openRes.status) };
    throw statusError('Open Session', openRes.status, o);
  }
  if (openRes.consoleSessionId !== consoleId) throw new BmcError('BMC_PROTOCOL', 'Open Session: the BMC answered for another session');
  if (openRes.auth !== suite.auth || openRes.integrity !== suite.integrity || openRes.confidentiality !== suite.confidentiality) {
    // §13.18: the BMC may pick other algorithms when the request said "any"; rackboot never does, so this is a refusal.
    return { refused: `the BMC chose algorithms ${openRes.auth}/${openRes.integrity}/${openRes.confidentiality}` };
  }
  const bmcSessionId = openRes.bmcSessionId!;

  const consoleRandom = crypto.randomBytes(16);
  const role = privilege | NAME_ONLY_LOOKUP;
  try {
    userKey(o.password);
  } catch {
    throw new BmcError('BMC_BAD_TARGET', 'an IPMI v2.0 password has at most 20 characters');
  }
  if (o.username.length > 16) throw new BmcError('BMC_BAD_TARGET', 'an IPMI user name has at most 16 characters');
  const rakp1 = encodeRakp1({ tag, bmcSessionId, consoleRandom, role, username: o.username });
  const rakp2 = await link.exchange('RAKP message 1', unsealed(PayloadType.RAKP1, rakp1), setup(PayloadType.RAKP2, (p) => decodeRakp2(p).value));
  if (rakp2.status !== 0) throw statusError('RAKP message 2', rakp2.status, o);
  const context = { consoleSessionId: consoleId, bmcSessionId, consoleRandom, bmcRandom: rakp2.bmcRandom!, bmcGuid: rakp2.bmcGuid!, role, username: o.username };
  const keys = deriveKeys(crypto, suite.auth, context, o.password, o.kg);
  if (!bytesEqual(keys.rakp2AuthCode, rakp2.keyExchangeAuthCode)) {
    // The BMC proved knowledge of the user's real password with RAKP2; ours differs.
    throw new BmcError('BMC_AUTH_FAILED', `wrong password for BMC user ${JSON.stringify(o.username)} on ${where(o)}`);
  }
  const rakp3 = encodeRakp3({ tag, status: 0, bmcSessionId, keyExchangeAuthCode: keys.rakp3AuthCode });
  const rakp4 = await link.exchange('RAKP message 3', unsealed(PayloadType.RAKP3, rakp3), setup(PayloadType.RAKP4, (p) => decodeRakp4(p).value));
  if (rakp4.status !== 0) throw statusError('RAKP message 4', rakp4.status, o);
  if (!bytesEqual(keys.rakp4Icv, rakp4.integrityCheckValue.subarray(0, keys.rakp4Icv.length))) {
    if (caps.kgSet && !o.kg) throw new BmcError('BMC_AUTH_FAILED', 'the BMC has a BMC key (Kg) set: two-key login needs that key too');
    throw new BmcError('BMC_PROTOCOL', 'RAKP message 4: the integrity check value does not match (a wrong BMC key, or not the BMC it claims to be)');
  }
  return new Session(link, o, suite.id, caps, bmcSessionId, consoleId, sessionSecurity(suite, keys));
}

function statusError(step: string, status: number, o: IpmiOptions): BmcError {
  const text = rakpStatusName(status);
  if (status === 0x01 || status === 0x0b) return new BmcError('BMC_BUSY', `${step}: ${text} (every session slot may be in use): try again in a minute`, { status });
  if (status === 0x0d) return new BmcError('BMC_AUTH_FAILED', `the BMC on ${where(o)} has no user ${JSON.stringify(o.username)} (${text})`, { status });
  if (status === 0x0f) return new BmcError('BMC_AUTH_FAILED', `wrong password for BMC user ${JSON.stringify(o.username)} on ${where(o)} (${text})`, { status });
  if (status === 0x09 || status === 0x0a) return new BmcError('BMC_AUTH_FAILED', `BMC user ${JSON.stringify(o.username)} may not log in at that privilege (${text})`, { status });
  if (CIPHER_REFUSED_STATUSES.includes(status)) return new BmcError('BMC_CIPHER_UNSUPPORTED', `${step}: ${text}`, { status });
  return new BmcError('BMC_PROTOCOL', `${step}: the BMC answered ${text}`, { status });
}

/** Opens an authenticated, encrypted session. The caller closes it (or uses withIpmi). */
export async function openIpmiSession(o: IpmiOptions): Promise<IpmiSession> {
  const suites = suitesToTry(o);
  const privilege = o.privilege ?? Privilege.ADMINISTRATOR;
  const link = await Link.connect(o);
  try {
    const caps = await channelCapabilities(link, privilege);
    if (!caps.ipmi20) throw new BmcError('BMC_CIPHER_UNSUPPORTED', `the BMC on ${where(o)} does not offer IPMI v2.0 (RMCP+) on this channel`);
    const refusals: string[] = [];
    for (const suite of suites) {
      const result = await handshake(link, o, suite, privilege, caps);
      if ('refused' in result) {
        refusals.push(`cipher suite ${suite.id}: ${result.refused}`);
        continue;
      }
      // §13.17: after activation the session runs at User level until raised (ipmitool does the same).
      if (privilege > Privilege.USER) {
        const { completionCode } = await result.send(setSessionPrivilege(privilege));
        if (completionCode !== CompletionCode.OK) {
          await result.close();
          throw new BmcError('BMC_AUTH_FAILED', `BMC user ${JSON.stringify(o.username)} may not act as ${PRIVILEGE_NAMES[privilege] ?? privilege}: ${completionText(completionCode, SET_PRIVILEGE_CODES)}`, { completionCode });
        }
      }
      return result;
    }
    throw new BmcError('BMC_CIPHER_UNSUPPORTED', `the BMC on ${where(o)} refused ${refusals.join('; ')}: enable cipher suite 17 or 3 in its IPMI settings`, { refusals });
  } catch (e) {
    link.close();
    throw e;
  }
}

/** Opens a session, runs `fn`, always closes. */
export async function withIpmi<T>(o: IpmiOptions, fn: (s: IpmiSession) => Promise<T>): Promise<T> {
  const session = await openIpmiSession(o);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

/** ASF presence ping: is anything answering RMCP on host:port, and does it say it speaks IPMI. */
export async function asfPing(o: { host: string; port?: number; timeoutMs?: number; retries?: number }): Promise<{ ipmi: boolean; entities: number; interactions: number }> {
  const link = await Link.connect({ ...o, username: '', password: '' });
  try {
    const tag = nodeIpmiCrypto.randomBytes(1)[0]! & 0xfe;
    return await link.exchange(
      'ASF presence ping',
      () => encodeAsf({ sequence: 0xff, message: { type: 'ping', tag } }),
      (bytes) => {
        const m = decodeAsf(bytes).value.message;
        if (m.type !== 'pong' || m.tag !== tag) return undefined;
        return { ipmi: (m.entities & 0x80) !== 0, entities: m.entities, interactions: m.interactions };
      },
    );
  } finally {
    link.close();
  }
}
