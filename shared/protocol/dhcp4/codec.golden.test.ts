/**
 * Golden DISCOVERs captured from real firmware in QEMU by test/e2e/harness.test.ts
 * (`UPDATE_FIXTURES=1 npx vitest run --project e2e`): SeaBIOS + iPXE ROM, OVMF, OVMF with Secure Boot.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromHex, hex } from '../bytes.ts';
import { clientArchitectures, decode, encode, getOption, messageType, vendorClass } from './codec.ts';
import { DhcpOption, MessageType } from './options.ts';

const fixture = (name: string) =>
  fromHex(readFileSync(join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'dhcp', `discover-${name}.hex`), 'utf8').trim());

describe('golden DISCOVERs from real firmware', () => {
  it.each([
    ['bios', 0, 'PXEClient:Arch:00000:UNDI:002001', true],
    ['uefi', 7, 'PXEClient:Arch:00007:UNDI:003000', false],
    ['uefi-secureboot', 7, 'PXEClient:Arch:00007:UNDI:003000', false],
  ])('%s decodes to arch %i and %s', (name, arch, vendor, ipxe) => {
    const bytes = fixture(name);
    const p = decode(bytes).value;
    expect(messageType(p)).toBe(MessageType.DISCOVER);
    expect(clientArchitectures(p)).toEqual([arch]);
    expect(vendorClass(p)).toBe(vendor);
    // The GUID (option 97) is type 0 + 16 bytes in both firmware kinds.
    expect(getOption(p, DhcpOption.CLIENT_UUID)?.[0]).toBe(0);
    expect(getOption(p, DhcpOption.CLIENT_UUID)?.length).toBe(17);
    // iPXE marks itself with option 77 "iPXE" and option 175; OVMF does neither.
    expect(getOption(p, DhcpOption.USER_CLASS) !== undefined).toBe(ipxe);
    expect(getOption(p, DhcpOption.IPXE_ENCAP) !== undefined).toBe(ipxe);
    // Re-encoding keeps every option, in order, byte for byte up to the END option.
    const again = encode(p);
    expect(decode(again).value).toEqual(p);
    const end = (b: Uint8Array) => hex(b.subarray(0, 240 + p.options.reduce((n, o) => n + 2 + o.data.length, 0)));
    expect(end(again)).toBe(end(bytes));
  });
});
