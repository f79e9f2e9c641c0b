/** The closed set of error codes that cross the API. The renderer maps codes to wording. */
export const API_ERROR_CODES = [
  'BAD_REQUEST', // arguments failed the contract's schema
  'UNKNOWN_METHOD',
  'FORBIDDEN', // IPC sender or WebSocket token not trusted
  'NO_SUCH_INTERFACE',
  'ADDRESS_NOT_ON_INTERFACE',
  'BAD_POOL',
  'ISO_NOT_FOUND',
  'ISO_UNREADABLE', // the file is there but is not an image rackboot can read (detail says why)
  'NO_SUCH_MACHINE',
  'NO_SUCH_PROFILE', // no answer profile (or no such version of it) with that id
  'PROFILE_IN_USE', // machines still reference the answer profile (detail lists them)
  'PROFILE_NAME_TAKEN', // another answer profile already has that name
  'INVALID_PROFILE', // an answer profile body (saved, stored or imported) fails the profile schema (detail says where)
  'ALREADY_RUNNING',
  'NOT_RUNNING',
  'PORT_IN_USE',
  'OTHER_DHCP_SERVER', // full DHCP refused: another DHCP server answers on that network
  'PERMISSION_DENIED',
  'SERVICE_FAILED', // a service could not start for another reason (detail in its status)
  'INTERNAL',
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiError {
  code: ApiErrorCode;
  message: string;
}

/** An error with an API code, thrown inside the core and turned into a Result at the transport. */
export class RackbootError extends Error {
  override readonly name = 'RackbootError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && (API_ERROR_CODES as readonly string[]).includes(value);
}

/**
 * Why a BMC (IPMI or Redfish) did not do what was asked. They stay out of API_ERROR_CODES until the
 * renderer has words for them (renderer/src/app/wording.ts maps every API code); the core and the CLI use them.
 */
export const BMC_ERROR_CODES = [
  'BMC_BAD_TARGET', // the host, port or options given cannot be used (detail says which)
  'BMC_UNREACHABLE', // no answer within the retries: wrong address or port, IPMI over LAN off, a firewall
  'BMC_AUTH_FAILED', // unknown user, wrong password, or a privilege the user does not have
  'BMC_CIPHER_UNSUPPORTED', // the BMC refuses every cipher suite rackboot offers (or has no IPMI v2.0)
  'BMC_BUSY', // node busy, or no free session slot; try again in a moment
  'BMC_REFUSED', // the BMC answered the command with an error completion code (detail names it)
  'BMC_PROTOCOL', // an answer that does not decode or fails its integrity check
  'BMC_TLS_UNTRUSTED', // Redfish: the certificate's fingerprint is not the one the technician confirmed
  'BMC_NOT_SET', // the machine has no BMC settings yet
] as const;

export type BmcErrorCode = (typeof BMC_ERROR_CODES)[number];

export class BmcError extends Error {
  override readonly name = 'BmcError';
  constructor(
    readonly code: BmcErrorCode,
    message: string,
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
