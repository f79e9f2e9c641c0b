import { describe, expect, it } from 'vitest';
import type { AnswerIssue } from '../../../../shared/answers/profile.ts';
import { placeIssue, placeIssues } from './fields.ts';
import {
  canonical,
  dropIssuesUnder,
  freeName,
  getAt,
  joinSections,
  listText,
  mergeIssues,
  newBody,
  parseList,
  sameBody,
  schemaIssues,
  setAt,
  splitSections,
  withDefaults,
} from './form.ts';
import { guessFormat, nameFromFile } from './guess.ts';

const issue = (path: (string | number)[], message = 'bad', severity: AnswerIssue['severity'] = 'error', code = 'X'): AnswerIssue => ({ path, code, message, severity });

describe('answer form paths', () => {
  it('reads and writes by path without touching the original', () => {
    const body = { network: { mode: 'dhcp' }, disk: { partitions: [{ mount: '/' }] } };
    const next = setAt(body, ['disk', 'partitions', 0, 'mount'], '/home');
    expect(getAt(next, ['disk', 'partitions', 0, 'mount'])).toBe('/home');
    expect(body.disk.partitions[0]!.mount).toBe('/');
    expect(next.network).toBe(body.network);
  });

  it('creates missing parents and removes a key set to undefined', () => {
    const next = setAt({} as Record<string, unknown>, ['network', 'hostname'], 'web01');
    expect(next).toEqual({ network: { hostname: 'web01' } });
    expect(setAt(next, ['network', 'hostname'], undefined)).toEqual({ network: {} });
    expect(getAt(next, ['missing', 'deeper'])).toBeUndefined();
  });

  it('treats key order as no change, values as change', () => {
    expect(sameBody({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 })).toBe(true);
    expect(sameBody({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(canonical({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it('finds a free name', () => {
    expect(freeName('New profile', [])).toBe('New profile');
    expect(freeName('New profile', ['new profile', 'New profile 2'])).toBe('New profile 3');
  });
});

describe('answer form validation', () => {
  it('starts a new profile complete and valid', () => {
    const body = newBody('Web servers');
    expect(schemaIssues(body)).toEqual([]);
    expect(getAt(body, ['locale', 'timezone'])).toBe('UTC');
    expect(getAt(body, ['kickstart', 'mode'])).toBe('text');
  });

  it.each([
    ['a host name with an underscore', ['network', 'hostname'], 'web_01', /host name/],
    ['an empty name', ['name'], '', /^required$/],
    ['a time zone that is not IANA-shaped', ['locale', 'timezone'], 'berlin', /IANA/],
    ['a partition size that is not a number', ['disk', 'partitions'], [{ mount: '/', sizeMiB: 'big', grow: false }], /whole number/],
    ['an empty plain password', ['accounts', 'root'], { plain: '' }, /^required$/],
    ['a password that is neither plain nor a hash', ['accounts', 'root'], { hash: 'nope' }, /SHA-512|enter it again/],
  ])('reports %s at its field path', (_what, path, value, message) => {
    const issues = schemaIssues(setAt(newBody('x'), path, value));
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]!.path.slice(0, path.length)).toEqual(path);
    expect(issues[0]!.message).toMatch(message);
  });

  it('fills defaults into an import, or lays it over them when it does not validate', () => {
    const ok = withDefaults({ name: 'A', locale: { timezone: 'Europe/Berlin' } }, 'A');
    expect(getAt(ok, ['locale', 'keyboard'])).toBe('us');
    expect(getAt(ok, ['locale', 'timezone'])).toBe('Europe/Berlin');
    const bad = withDefaults({ name: 'A', network: { hostname: 'bad name' } }, 'A');
    expect(getAt(bad, ['network', 'hostname'])).toBe('bad name');
    expect(getAt(bad, ['network', 'mode'])).toBe('dhcp');
  });

  it('merges the core issues with the form ones, the form winning on schema findings', () => {
    const local = [issue(['network', 'hostname'], 'a host name')];
    const server = [issue(['network', 'hostname'], 'older words', 'error', 'INVALID_FIELD'), issue(['network', 'hostname'], 'a host name'), issue(['disk', 'partitions'], 'UEFI needs /boot/efi', 'warning', 'UEFI_NEEDS_EFI_PARTITION')];
    expect(mergeIssues(local, server).map((i) => i.message)).toEqual(['a host name', 'UEFI needs /boot/efi']);
  });

  it('forgets issues about a field once it is edited', () => {
    const all = [issue(['network', 'hostname']), issue(['network', 'domain']), issue(['disk', 'partitions', 2, 'mount'])];
    expect(dropIssuesUnder(all, ['disk', 'partitions'])).toHaveLength(2);
    expect(dropIssuesUnder(all, ['network', 'hostname']).map((i) => i.path.join('.'))).toEqual(['network.domain', 'disk.partitions.2.mount']);
  });
});

describe('list and section text', () => {
  it('turns lines and words into entries and back', () => {
    expect(parseList('ssh-ed25519 AAAA a@b\n\n  ssh-rsa BBBB  \n', 'lines')).toEqual(['ssh-ed25519 AAAA a@b', 'ssh-rsa BBBB']);
    expect(parseList('ssh, http  https', 'words')).toEqual(['ssh', 'http', 'https']);
    expect(listText(['a', 'b'], 'lines')).toBe('a\nb');
    expect(listText(undefined, 'words')).toBe('');
  });

  it('splits kickstart sections at %end and keeps an unfinished one for the schema to flag', () => {
    const sections = ['%post --interpreter=/usr/bin/python3\nprint(1)\n%end', '%addon com_redhat_kdump --enable\n%end'];
    expect(splitSections(joinSections(sections))).toEqual(sections);
    expect(splitSections('%post\necho hi\n')).toEqual(['%post\necho hi']);
    expect(splitSections('\n\n')).toEqual([]);
  });
});

describe('issue placement', () => {
  it.each([
    [['network', 'hostname'], 'network.hostname', 'network', 'bad'],
    [['accounts', 'sshKeys', 3], 'accounts.sshKeys', 'accounts', 'line 4: bad'],
    [['disk', 'partitions', 1, 'mount'], 'disk.partitions.1.mount', 'disk', 'bad'],
    [['disk', 'partitions'], 'disk.partitions', 'disk', 'bad'],
    [['kickstart', 'advanced', 'commands', 0], 'kickstart.advanced.commands', 'kickstart', 'line 1: bad'],
    [['autoinstall', 'advanced', 'reporting'], 'autoinstall.advanced', 'autoinstall', 'reporting: bad'],
    [[], null, null, 'bad'],
    [['unknownTop'], null, null, 'unknownTop: bad'],
  ] as const)('%j goes to %s', (path, key, section, text) => {
    const p = placeIssue(issue([...path]));
    expect(p.key).toBe(key);
    expect(p.section).toBe(section);
    expect(p.text).toBe(text);
  });

  it('counts per section and keeps unplaced issues for the summary, errors first', () => {
    const map = placeIssues([issue([], 'whole file', 'warning'), issue(['network', 'hostname'], 'w', 'warning'), issue(['network', 'hostname'], 'e')]);
    expect(map.summary.map((p) => p.text)).toEqual(['whole file']);
    expect(map.byKey.get('network.hostname')!.map((p) => p.issue.severity)).toEqual(['error', 'warning']);
    expect(map.perSection.network).toEqual({ errors: 1, warnings: 1 });
  });
});

describe('import guessing', () => {
  it.each([
    ['#cloud-config\nautoinstall:\n  version: 1\n', 'autoinstall'],
    ['autoinstall:\n  version: 1\n', 'autoinstall'],
    ['d-i debian-installer/locale string en_US\n', 'preseed'],
    ['text\nrootpw --lock\n%packages\n@core\n%end\n', 'kickstart'],
    ['{"format":"rackboot-answer-profile","formatVersion":1}', 'profile'],
    ['{"name":"not an export"}', null],
    ['hello\n', null],
  ])('%j is %s', (text, format) => {
    expect(guessFormat(text)).toBe(format);
  });

  it('names a profile after its file', () => {
    expect(nameFromFile('C:\\kick\\web-tier.ks')).toBe('web-tier');
    expect(nameFromFile('db.rackboot-profile.json')).toBe('db');
  });
});
