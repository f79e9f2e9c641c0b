/**
 * A small RMCP+ BMC for tests, built on rackboot's codecs (the BMC side of the same arithmetic): cipher
 * suites 3 and 17, one user table, power state, boot flags, and knobs for the odd paths (busy answers,
 * silence, refused Open Session). ipmi_sim has no SHA256, so cipher suite 17 is checked against ipmitool
 * and freeipmi through this BMC: they are the independent implementations that must accept it.
 * Run alone: `npx tsx test/helpers/ipmi-bmc.ts --port P --user U --password W` (capture.sh does).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { bytesEqual } from '../../shared/protocol/bytes.ts';
import { BootParam, Cmd, decodeBootFlags, encodeBootFlags, type BootFlags } from '../../shared/protocol/ipmi/commands.ts';
import { CompletionCode, decodeRequest, encodeResponse, NetFn } from '../../shared/protocol/ipmi/message.ts';
import {
  CIPHER_SUITES,
  decodeOpenSessionRequest,
  decodeRakp1,
  decodeRakp3,
  deriveKeys,
  encodeOpenSessionResponse,
  encodeRakp2,
  encodeRakp4,
  sessionSecurity,
  type RakpContext,
} from '../../shared/protocol/ipmi/rakp.ts';
import { decodeAsf, encodeAsf, RmcpClass } from '../../shared/protocol/ipmi/rmcp.ts';
import { decodeIpmiPacket, encodeIpmiPacket, open, PayloadType, seal, type SessionSecurity } from '../../shared/protocol/ipmi/session.ts';
import { nodeIpmiCrypto as crypto } from '../../electron/core/bmc/crypto.ts';

export interface TestBmcOptions {
  users: Record<string, string>;
  /** Cipher suites accepted (default 3 and 17). */
  suites?: number[];
  /** Answer this many IPMI commands in a session with "node busy" (C0h) before the real answer. */
  busyAnswers?: number;
  /** Open Session answered with "insufficient resources" (every slot in use). */
  noFreeSession?: boolean;
  /** Answer nothing at all. */
  silent?: boolean;
  /** Set System Boot Options parameter 5 is refused with this completion code. */
  refuseBootFlags?: number;
}

export interface TestBmc {
  port: number;
  power: boolean;
  bootFlags: BootFlags;
  /** Every IPMI request decoded inside a session: [netFn, cmd, data hex]. */
  requests: [number, number, string][];
  sessionsOpened: number;
  sessionsClosed: number;
  stop(): Promise<void>;
}

interface Pending {
  consoleId: number;
  bmcId: number;
  suite: number;
  bmcRandom: Uint8Array;
  context?: RakpContext;
  security?: SessionSecurity;
  active: boolean;
  seq: number;
  busy: number;
}

const GUID = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);

export async function startTestBmc(o: TestBmcOptions, port = 0): Promise<TestBmc> {
  const suites = o.suites ?? [3, 17];
  const socket: Socket = createSocket('udp4');
  const sessions = new Map<number, Pending>();
  let nextId = 0x100;
  const state: TestBmc = {
    port: 0,
    power: false,
    bootFlags: { valid: false, persistent: false, efi: false, device: 0, data2Flags: 0, data3: 0, data4: 0, data5: 0 },
    requests: [],
    sessionsOpened: 0,
    sessionsClosed: 0,
    stop: () => new Promise<void>((r) => socket.close(() => r())),
  };
  const reply = (to: RemoteInfo, bytes: Uint8Array) => socket.send(bytes, to.port, to.address);
  const setup = (to: RemoteInfo, payloadType: number, payload: Uint8Array) => reply(to, seal({ payloadType, sessionId: 0, sequence: 0, payload, security: null, crypto }));

  function command(s: Pending, netFn: number, cmd: number, data: Uint8Array): { cc: number; data?: number[] | Uint8Array } {
    if (netFn === NetFn.APP && cmd === Cmd.SET_SESSION_PRIVILEGE) return { cc: 0, data: [data[0] ?? 4] };
    if (netFn === NetFn.APP && cmd === Cmd.CLOSE_SESSION) {
      state.sessionsClosed++;
      return { cc: 0 };
    }
    if (netFn === NetFn.APP && cmd === Cmd.GET_DEVICE_ID) return { cc: 0, data: [0x20, 0x81, 0x01, 0x23, 0x02, 0xbf, 0x57, 0x01, 0x00, 0x34, 0x12] };
    if (netFn === NetFn.CHASSIS && cmd === Cmd.GET_CHASSIS_STATUS) return { cc: 0, data: [state.power ? 0x41 : 0x40, 0x00, 0x00, 0x00] };
    if (netFn === NetFn.CHASSIS && cmd === Cmd.CHASSIS_CONTROL) {
      const action = data[0]! & 0x0f;
      // §28.3: a power cycle of a powered-off system may be refused with D5h (what many BMCs do).
      if (action === 2 && !state.power) return { cc: CompletionCode.NOT_SUPPORTED_IN_STATE };
      if (action === 0 || action === 5) state.power = false;
      else if (action === 1 || action === 2 || action === 3) state.power = true;
      else return { cc: CompletionCode.INVALID_DATA_FIELD };
      return { cc: 0 };
    }
    if (netFn === NetFn.CHASSIS && cmd === Cmd.SET_SYSTEM_BOOT_OPTIONS) {
      const param = data[0]! & 0x7f;
      if (param === BootParam.BOOT_FLAGS) {
        if (o.refuseBootFlags) return { cc: o.refuseBootFlags };
        if (data.length !== 6) return { cc: CompletionCode.DATA_LENGTH_INVALID };
        state.bootFlags = decodeBootFlags(data.subarray(1));
        return { cc: 0 };
      }
      return [BootParam.SET_IN_PROGRESS, BootParam.BOOT_INFO_ACK, BootParam.VALID_BIT_CLEARING].includes(param as 0) ? { cc: 0 } : { cc: 0x80 };
    }
    if (netFn === NetFn.CHASSIS && cmd === Cmd.GET_SYSTEM_BOOT_OPTIONS) {
      if ((data[0]! & 0x7f) !== BootParam.BOOT_FLAGS) return { cc: 0x80 };
      return { cc: 0, data: [0x01, 0x05, ...encodeBootFlags(state.bootFlags)] };
    }
    void s;
    return { cc: CompletionCode.INVALID_COMMAND };
  }

  socket.on('message', (msg, from) => {
    if (o.silent) return;
    const bytes = new Uint8Array(msg);
    try {
      if (bytes[3] === RmcpClass.ASF) {
        const m = decodeAsf(bytes).value.message;
        if (m.type === 'ping') reply(from, encodeAsf({ sequence: 0xff, message: { type: 'pong', tag: m.tag, iana: 4542, oem: 0, entities: 0x81, interactions: 0 } }));
        return;
      }
      const session = decodeIpmiPacket(bytes).value;
      if (session.format === 'v1.5') {
        const req = decodeRequest(session.payload).value;
        if (req.netFn !== NetFn.APP || req.cmd !== Cmd.GET_CHANNEL_AUTH_CAPABILITIES) return;
        // Channel 1; auth types none/MD5/password; non-null user names; IPMI v1.5 and v2.0.
        const res = encodeResponse({ rqAddr: req.rqAddr, netFn: req.netFn | 1, rqLun: req.rqLun, rsAddr: req.rsAddr, rqSeq: req.rqSeq, rsLun: req.rsLun, cmd: req.cmd, completionCode: 0, data: Uint8Array.of(0x01, 0x95, 0x04, 0x03, 0, 0, 0, 0) });
        reply(from, encodeIpmiPacket({ format: 'v1.5', authType: 0, sequence: 0, sessionId: 0, authCode: null, payload: res }));
        return;
      }
      if (session.payloadType === PayloadType.OPEN_SESSION_REQUEST) {
        const r = decodeOpenSessionRequest(session.payload).value;
        const suite = suites.map((id) => CIPHER_SUITES[id]!).find((s) => s.auth === r.auth && s.integrity === r.integrity && s.confidentiality === r.confidentiality);
        const fail = (status: number) => setup(from, PayloadType.OPEN_SESSION_RESPONSE, Uint8Array.of(r.tag, status));
        if (o.noFreeSession) return fail(0x01);
        if (!suite) return fail(r.auth !== 1 && r.auth !== 3 ? 0x04 : 0x11);
        const bmcId = nextId++;
        sessions.set(bmcId, { consoleId: r.consoleSessionId, bmcId, suite: suite.id, bmcRandom: crypto.randomBytes(16), active: false, seq: 0, busy: o.busyAnswers ?? 0 });
        return setup(
          from,
          PayloadType.OPEN_SESSION_RESPONSE,
          encodeOpenSessionResponse({ tag: r.tag, status: 0, maxPrivilege: 4, consoleSessionId: r.consoleSessionId, bmcSessionId: bmcId, auth: suite.auth, integrity: suite.integrity, confidentiality: suite.confidentiality }),
        );
      }
      if (session.payloadType === PayloadType.RAKP1) {
        const r = decodeRakp1(session.payload).value;
        const s = sessions.get(r.bmcSessionId);
        if (!s) return;
        const password = o.users[r.username];
        if (password === undefined) return setup(from, PayloadType.RAKP2, encodeRakp2({ tag: r.tag, status: 0x0d, consoleSessionId: s.consoleId, bmcRandom: null, bmcGuid: null, keyExchangeAuthCode: new Uint8Array(0) }));
        s.context = { consoleSessionId: s.consoleId, bmcSessionId: s.bmcId, consoleRandom: r.consoleRandom, bmcRandom: s.bmcRandom, bmcGuid: GUID, role: r.role, username: r.username };
        const keys = deriveKeys(crypto, CIPHER_SUITES[s.suite]!.auth, s.context, password);
        return setup(from, PayloadType.RAKP2, encodeRakp2({ tag: r.tag, status: 0, consoleSessionId: s.consoleId, bmcRandom: s.bmcRandom, bmcGuid: GUID, keyExchangeAuthCode: keys.rakp2AuthCode }));
      }
      if (session.payloadType === PayloadType.RAKP3) {
        const r = decodeRakp3(session.payload).value;
        const s = sessions.get(r.bmcSessionId);
        if (!s?.context) return;
        const suite = CIPHER_SUITES[s.suite]!;
        const keys = deriveKeys(crypto, suite.auth, s.context, o.users[s.context.username]!);
        if (!bytesEqual(keys.rakp3AuthCode, r.keyExchangeAuthCode)) {
          return setup(from, PayloadType.RAKP4, encodeRakp4({ tag: r.tag, status: 0x0f, consoleSessionId: s.consoleId, integrityCheckValue: new Uint8Array(0) }));
        }
        s.security = sessionSecurity(suite, keys);
        s.active = true;
        state.sessionsOpened++;
        return setup(from, PayloadType.RAKP4, encodeRakp4({ tag: r.tag, status: 0, consoleSessionId: s.consoleId, integrityCheckValue: keys.rakp4Icv }));
      }
      if (session.payloadType === PayloadType.IPMI) {
        const s = sessions.get(session.sessionId);
        if (!s?.active || !s.security) return;
        const opened = open(bytes, s.security, crypto);
        const req = decodeRequest(opened.payload).value;
        state.requests.push([req.netFn, req.cmd, Buffer.from(req.data).toString('hex')]);
        let answer: { cc: number; data?: number[] | Uint8Array };
        if (s.busy > 0 && req.cmd !== Cmd.SET_SESSION_PRIVILEGE && req.cmd !== Cmd.CLOSE_SESSION) {
          s.busy--;
          answer = { cc: CompletionCode.NODE_BUSY };
        } else answer = command(s, req.netFn, req.cmd, req.data);
        const res = encodeResponse({ rqAddr: req.rqAddr, netFn: req.netFn | 1, rqLun: req.rqLun, rsAddr: req.rsAddr, rqSeq: req.rqSeq, rsLun: req.rsLun, cmd: req.cmd, completionCode: answer.cc, data: Uint8Array.from(answer.data ?? []) });
        s.seq++;
        reply(from, seal({ payloadType: PayloadType.IPMI, sessionId: s.consoleId, sequence: s.seq, payload: res, security: s.security, crypto }));
        if (req.cmd === Cmd.CLOSE_SESSION && req.netFn === NetFn.APP) sessions.delete(s.bmcId);
      }
    } catch (e) {
      // A test BMC ignores what it cannot read, as a real one does.
      if (process.env.IPMI_BMC_DEBUG) console.error('test BMC:', e);
    }
  });
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
  state.port = socket.address().port;
  return state;
}

// As a program (test/fixtures/ipmi/capture.sh).
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const arg = (name: string) => process.argv[process.argv.indexOf(name) + 1];
  const bmc = await startTestBmc({ users: { [arg('--user') ?? 'admin']: arg('--password') ?? 'admin' } }, Number(arg('--port') ?? 0));
  console.log(`test BMC listening on 127.0.0.1:${bmc.port}`);
}
