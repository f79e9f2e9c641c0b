/**
 * RMCP (DMTF ASF 2.0 §3.2.2) and the ASF presence ping/pong, the outer layer of IPMI over LAN on UDP 623
 * (IPMI v2.0 §13.1). decode(bytes, offset?) -> { value, bytesRead }, encode(value) -> bytes.
 */
import { ProtocolError } from '../errors.ts';

/** The RMCP port (ASF 2.0 §3.2.1: "primary RMCP port", IPMI v2.0 §13.1). */
export const RMCP_PORT = 623;
/** RMCP version 1.0 is encoded as 06h (ASF 2.0 §3.2.2.1). */
export const RMCP_VERSION = 0x06;
/** IPMI messages carry sequence FFh: "no RMCP ACK" (IPMI v2.0 §13.1.3). */
export const RMCP_NO_ACK_SEQUENCE = 0xff;
/** The ASF IANA enterprise number, 4542 (00 00 11 BE), in ASF messages (ASF 2.0 §3.2.2.3). */
export const ASF_IANA = 4542;

export const RmcpClass = { ASF: 0x06, IPMI: 0x07, OEM: 0x08 } as const;

export interface RmcpHeader {
  sequence: number;
  /** Bits 4:0 of the class byte: 6 ASF, 7 IPMI, 8 OEM. */
  messageClass: number;
  /** Bit 7 of the class byte: this is an RMCP ACK. */
  ack: boolean;
}

export function decodeRmcpHeader(bytes: Uint8Array, offset = 0): { value: RmcpHeader; bytesRead: number } {
  if (bytes.length - offset < 4) throw new ProtocolError('RMCP_TOO_SHORT', `${bytes.length - offset} bytes, an RMCP header has 4`);
  if (bytes[offset] !== RMCP_VERSION) throw new ProtocolError('RMCP_BAD_VERSION', `version ${bytes[offset]}, not 06h`);
  const cls = bytes[offset + 3]!;
  // Byte 1 is reserved; senders put 00h there, receivers ignore it (ASF 2.0 §3.2.2.1).
  return { value: { sequence: bytes[offset + 2]!, messageClass: cls & 0x1f, ack: (cls & 0x80) !== 0 }, bytesRead: 4 };
}

export function encodeRmcpHeader(h: RmcpHeader): Uint8Array {
  return Uint8Array.of(RMCP_VERSION, 0, h.sequence & 0xff, (h.ack ? 0x80 : 0) | (h.messageClass & 0x1f));
}

export const AsfType = { PRESENCE_PONG: 0x40, PRESENCE_PING: 0x80 } as const;

/** ASF 2.0 §3.2.4.3: the pong's supported-entities byte, bit 7 = IPMI supported. */
export const ASF_ENTITY_IPMI = 0x80;

export type AsfMessage =
  | { type: 'ping'; tag: number }
  | {
      type: 'pong';
      tag: number;
      /** IANA enterprise number of the OEM (4542 when there are no OEM-defined capabilities). */
      iana: number;
      oem: number;
      /** Bit 7: IPMI supported; bits 3:0: ASF version (1 = 1.0). */
      entities: number;
      /** Bit 7: RMCP security extensions; bit 5: DASH. */
      interactions: number;
    };

export interface AsfPacket {
  sequence: number;
  message: AsfMessage;
}

const u32be = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
const put32be = (b: Uint8Array, at: number, v: number) => {
  b[at] = (v >>> 24) & 0xff;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
};

/** An ASF packet, RMCP header included. */
export function decodeAsf(bytes: Uint8Array, offset = 0): { value: AsfPacket; bytesRead: number } {
  const { value: rmcp } = decodeRmcpHeader(bytes, offset);
  if (rmcp.messageClass !== RmcpClass.ASF) throw new ProtocolError('ASF_NOT_ASF', `RMCP class ${rmcp.messageClass}, not 6 (ASF)`);
  const b = bytes.subarray(offset + 4);
  if (b.length < 8) throw new ProtocolError('ASF_TOO_SHORT', `${b.length} bytes of ASF message, the header has 8`);
  const iana = u32be(b, 0);
  if (iana !== ASF_IANA) throw new ProtocolError('ASF_BAD_IANA', `IANA ${iana}, not 4542`);
  const type = b[4]!;
  const tag = b[5]!;
  const dataLength = b[7]!;
  if (b.length < 8 + dataLength) throw new ProtocolError('ASF_TRUNCATED', `data length ${dataLength}, ${b.length - 8} bytes present`);
  if (type === AsfType.PRESENCE_PING) {
    return { value: { sequence: rmcp.sequence, message: { type: 'ping', tag } }, bytesRead: 4 + 8 + dataLength };
  }
  if (type === AsfType.PRESENCE_PONG) {
    // ASF 2.0 §3.2.4.3: 16 bytes of data; fewer is not a pong.
    if (dataLength < 16) throw new ProtocolError('ASF_SHORT_PONG', `pong carries ${dataLength} bytes of data, not 16`);
    const d = b.subarray(8);
    return {
      value: { sequence: rmcp.sequence, message: { type: 'pong', tag, iana: u32be(d, 0), oem: u32be(d, 4), entities: d[8]!, interactions: d[9]! } },
      bytesRead: 4 + 8 + dataLength,
    };
  }
  throw new ProtocolError('ASF_UNKNOWN_TYPE', `ASF message type ${type.toString(16)}h`);
}

export function encodeAsf(p: AsfPacket): Uint8Array {
  const m = p.message;
  const dataLength = m.type === 'pong' ? 16 : 0;
  const out = new Uint8Array(4 + 8 + dataLength);
  out.set(encodeRmcpHeader({ sequence: p.sequence, messageClass: RmcpClass.ASF, ack: false }), 0);
  put32be(out, 4, ASF_IANA);
  out[8] = m.type === 'ping' ? AsfType.PRESENCE_PING : AsfType.PRESENCE_PONG;
  out[9] = m.tag & 0xff;
  out[11] = dataLength;
  if (m.type === 'pong') {
    put32be(out, 12, m.iana);
    put32be(out, 16, m.oem);
    out[20] = m.entities & 0xff;
    out[21] = m.interactions & 0xff;
  }
  return out;
}
