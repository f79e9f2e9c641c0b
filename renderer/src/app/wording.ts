import type { ApiErrorCode } from '../../../shared/api/errors.ts';

/** What a technician reads for each API error code; the core's message adds the specifics. */
export const ERROR_TITLES: Record<ApiErrorCode, string> = {
  BAD_REQUEST: 'That value was not accepted',
  UNKNOWN_METHOD: 'This UI and the core are out of step; restart rackboot',
  FORBIDDEN: 'Not allowed',
  NO_SUCH_INTERFACE: 'Pick a network interface',
  ADDRESS_NOT_ON_INTERFACE: 'The interface has no usable address',
  BAD_POOL: 'The address pool does not fit the network',
  ISO_NOT_FOUND: 'An ISO file is missing',
  ISO_UNREADABLE: 'An ISO cannot be read',
  NO_SUCH_MACHINE: 'rackboot does not know that machine',
  NO_SUCH_PROFILE: 'rackboot does not know that answer profile',
  PROFILE_IN_USE: 'Machines still use this answer profile',
  PROFILE_NAME_TAKEN: 'Another answer profile already has that name',
  INVALID_PROFILE: 'The answer profile is not valid',
  ALREADY_RUNNING: 'Already running',
  NOT_RUNNING: 'Not running',
  PORT_IN_USE: 'Another program is using a port rackboot needs',
  OTHER_DHCP_SERVER: 'This network already has a DHCP server',
  PERMISSION_DENIED: 'rackboot needs more privileges',
  SERVICE_FAILED: 'A service could not start',
  INTERNAL: 'Something went wrong inside rackboot',
};

export const DHCP_MODE_TEXT = {
  proxy: { label: 'Beside the site DHCP', help: 'ProxyDHCP: the site keeps handing out addresses; rackboot only tells PXE clients what to boot.' },
  full: { label: 'rackboot is the DHCP server', help: 'Full DHCP: for an isolated switch with no other DHCP server.' },
  off: { label: 'No DHCP', help: 'The site DHCP server already points clients at this laptop (next-server / filename).' },
} as const;

export const SERVICE_LABELS = { dhcp: 'DHCP', tftp: 'TFTP', http: 'HTTP', iso: 'ISOs' } as const;
