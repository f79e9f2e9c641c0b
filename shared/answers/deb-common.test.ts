import { describe, expect, it } from 'vitest';
import { commonProfileSchema, type AnswerIssue } from './profile.ts';
import { commentText, hostIdentity, importPassword, keyboardParts, netmaskToPrefix, prefixToNetmask, staticSettings } from './deb-common.ts';
import { context, ROOT_HASH, STATIC_ADDRESS } from './deb-fixtures.ts';

const profile = (network = {}) => commonProfileSchema.parse({ name: 't', network });

describe('Debian-family shared decisions', () => {
  it.each([
    ['the machine name', 'n7', {}, { host: 'n7', domain: null, named: true }],
    ['an FQDN split at its first dot', 'n7.dc1.example', {}, { host: 'n7', domain: 'dc1.example', named: true }],
    ["the profile's domain wins", 'n7.dc1.example', { domain: 'rack.test' }, { host: 'n7', domain: 'rack.test', named: true }],
    ["the profile's host name when the machine has none", null, { hostname: 'web' }, { host: 'web', domain: null, named: true }],
    ['the fallback', null, {}, { host: 'debian', domain: null, named: false }],
  ])('host name: %s', (_, hostname, network, expected) => {
    expect(hostIdentity(profile(network), context({ hostname }), 'debian')).toEqual(expected);
  });

  it("static settings: the reservation, the profile's DNS first; DHCP without a reservation", () => {
    expect(staticSettings(profile({ mode: 'static', dns: ['9.9.9.9'] }), context({ address: STATIC_ADDRESS }))).toEqual({ ...STATIC_ADDRESS, dns: ['9.9.9.9'] });
    expect(staticSettings(profile({ mode: 'static' }), context({ address: STATIC_ADDRESS }))).toEqual(STATIC_ADDRESS);
    expect(staticSettings(profile({ mode: 'static' }), context())).toBeNull();
    expect(staticSettings(profile(), context({ address: STATIC_ADDRESS }))).toBeNull();
  });

  it.each([
    [0, '0.0.0.0'],
    [8, '255.0.0.0'],
    [23, '255.255.254.0'],
    [32, '255.255.255.255'],
  ])('prefix %i <-> %s', (prefix, mask) => {
    expect(prefixToNetmask(prefix)).toBe(mask);
    expect(netmaskToPrefix(mask)).toBe(prefix);
  });

  it('non-contiguous or malformed netmasks are refused', () => {
    for (const m of ['255.0.255.0', '255.255.255', '256.0.0.0', 'x']) expect(netmaskToPrefix(m)).toBeNull();
  });

  it('keyboard layout(variant) splits', () => {
    expect(keyboardParts('de(nodeadkeys)')).toEqual({ layout: 'de', variant: 'nodeadkeys' });
    expect(keyboardParts('us')).toEqual({ layout: 'us', variant: '' });
  });

  it.each<[string, unknown, unknown, string[]]>([
    ['a $6$ hash is kept', ROOT_HASH, { hash: ROOT_HASH }, []],
    ['plain text is hashed later, with a warning', 'secret', { plain: 'secret' }, ['PLAINTEXT_PASSWORD']],
    ['a locked password is none', '!', null, []],
    ['yescrypt is refused at its field', '$y$j9T$abc$def', null, ['PASSWORD_HASH_UNSUPPORTED']],
    ['MD5 crypt is refused', '$1$salt$hash', null, ['PASSWORD_HASH_UNSUPPORTED']],
    ['not a string', 42, null, []],
  ])('imported passwords: %s', (_, value, expected, codes) => {
    const issues: AnswerIssue[] = [];
    expect(importPassword(value, ['accounts', 'root'], issues)).toEqual(expected);
    expect(issues.map((i) => i.code)).toEqual(codes);
  });

  it('comment text cannot break its line', () => {
    expect(commentText('a\nb\rc\u2028d\u0085e\u0000f')).toBe('a?b?c?d?e?f');
  });
});
