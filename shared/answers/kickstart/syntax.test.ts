import { describe, expect, it } from 'vitest';
import { commentText, parseArgs, quote, scriptDirective, shlexSplit, splitLines } from './syntax.ts';

describe('shlexSplit', () => {
  // Expected values are Python 3 `shlex.split(line, comments=True)` output, which pykickstart uses.
  it.each([
    ['network --bootproto=dhcp --device=eth0', ['network', '--bootproto=dhcp', '--device=eth0']],
    ["keyboard --vckeymap=us --xlayouts='us'", ['keyboard', '--vckeymap=us', '--xlayouts=us']],
    ['user --gecos="Ops \\"Team\\" #1" --name=ops', ['user', '--gecos=Ops "Team" #1', '--name=ops']],
    ['rootpw --plaintext Kylin#2024 --lock', ['rootpw', '--plaintext', 'Kylin']],
    ['url --url=http://a/b#frag', ['url', '--url=http://a/b']],
    ['part / --fstype="xfs" --size=1', ['part', '/', '--fstype=xfs', '--size=1']],
    ['x "a\\b" \'c\\d\' e\\ f', ['x', 'a\\b', 'c\\d', 'e f']],
    ["repo --name='my repo' --baseurl=\"http://h/p q\"", ['repo', '--name=my repo', '--baseurl=http://h/p q']],
    ['a "" b', ['a', '', 'b']],
    ['a""b', ['ab']],
    ['# all comment', []],
    ['bootloader --append=" crashkernel=auto"', ['bootloader', '--append= crashkernel=auto']],
    ['x \'a"b\' "c\'d"', ['x', 'a"b', "c'd"]],
    ['x $6$abc `id` $(id) ;;', ['x', '$6$abc', '`id`', '$(id)', ';;']],
    ["x 'it'\"'\"'s'", ['x', "it's"]],
  ])('%s', (line, words) => {
    expect(shlexSplit(line)).toEqual(words);
  });

  it.each([
    ['a "b', 'No closing quotation'],
    ["a 'b", 'No closing quotation'],
    ['a \\', 'No escaped character'],
  ])('refuses %s (%s)', (line, message) => {
    expect(() => shlexSplit(line)).toThrow(message);
  });

  it('reports a # that cuts a word, not one that starts a comment', () => {
    const seen: boolean[] = [];
    shlexSplit('rootpw --plaintext ab#cd', (mid) => seen.push(mid));
    shlexSplit('reboot # done', (mid) => seen.push(mid));
    expect(seen).toEqual([true, false]);
  });
});

describe('quote', () => {
  // Each value must come back as one word, unchanged, through the kickstart parser's shlex.
  it.each([
    'us',
    '$6$salt$hash./',
    'console=ttyS0,115200n8 quiet',
    'Ops "Team" #1',
    "O'Brien",
    'back\\slash',
    '$(reboot)',
    '`id`',
    'a;rootpw --plaintext x',
    '',
    '#leading',
    'http://h/p?a=1&b=2#frag',
  ])('round-trips %j', (value) => {
    expect(shlexSplit(`cmd --x=${quote(value)}`)).toEqual(['cmd', `--x=${value}`]);
  });

  it.each([
    ['bare tokens stay bare', 'en_US.UTF-8', 'en_US.UTF-8'],
    ['crypt hashes stay bare', '$6$ab$cd', '$6$ab$cd'],
    ['spaces are double-quoted', 'a b', '"a b"'],
    ['quotes and backslashes are escaped', 'a"b\\c', '"a\\"b\\\\c"'],
  ])('%s', (_name, value, written) => {
    expect(quote(value)).toBe(written);
  });

  // Python's splitlines() breaks on all of these: no quoting can keep them on one line.
  it.each(['\n', '\r', '\v', '\f', '\x1c', '\x1d', '\x1e', '\x85', '\u2028', '\u2029', '\0'])('refuses %j', (c) => {
    expect(() => quote(`a${c}rootpw --plaintext x`)).toThrow(/line break/);
  });
});

describe('splitLines', () => {
  it('breaks where Python str.splitlines() does', () => {
    // Python: "a\u2028b\x85c\x1cd\ve\ff\r\ng".splitlines()
    expect(splitLines('a\u2028b\x85c\x1cd\ve\ff\r\ng')).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  });
  it('drops the last terminator only', () => {
    expect(splitLines('a\n\nb\n')).toEqual(['a', '', 'b']);
    expect(splitLines('')).toEqual(['']);
  });
});

describe('scriptDirective', () => {
  it.each([
    ['%end', 'end'],
    ['   %end', 'end'],
    ['%end   # trailing', 'end'],
    ['\t%end\t', 'end'],
    ['%post --nochroot', 'header'],
    ['%packages', 'header'],
    ['%include /tmp/x', 'include'],
    ['%ksappend http://x/y', 'include'],
    ['%ksappendix', 'include'], // pykickstart's preprocessor matches the prefix
    ['%endx', null],
    ['echo %end', null],
    ['printf "%s"', null],
    ['%d', null],
  ])('%j -> %s', (line, kind) => {
    expect(scriptDirective(line)).toBe(kind);
  });
});

describe('parseArgs', () => {
  it('takes a separate value only for value options, never an option', () => {
    const valued = new Set(['url', 'enabled']);
    expect(parseArgs(['--url', 'http://x/', '--activate'], valued).options).toEqual([
      { name: 'url', value: 'http://x/' },
      { name: 'activate', value: null },
    ]);
    expect(parseArgs(['--enabled', '--service=ssh'], valued).options).toEqual([
      { name: 'enabled', value: null },
      { name: 'service', value: 'ssh' },
    ]);
    expect(parseArgs(['--iscrypted', '$6$x'], valued)).toEqual({ options: [{ name: 'iscrypted', value: null }], positional: ['$6$x'] });
  });
});

describe('commentText', () => {
  it('keeps a comment on one line', () => {
    expect(commentText('web\u2028rootpw --plaintext x\nlang C')).toBe('web rootpw --plaintext x lang C');
  });
});
