import { describe, expect, it } from 'vitest';
import { commandStatus, knowsRootAllowSsh, rhelLevel } from './version.ts';

describe('rhelLevel', () => {
  it.each([
    ['rhel', 7, 7],
    ['rhel', 8, 8],
    ['rhel', 9, 9],
    ['rhel', 10, 10],
    ['rhel', null, 9],
    ['rhel', 6, 7],
    ['rhel', 11, 10],
    ['centos', 7, 7],
    ['centos', 8, 8],
    ['centos-stream', 9, 9],
    ['centos-stream', 10, 10],
    ['rocky', 8, 8],
    ['rocky', 9, 9],
    ['alma', 9, 9],
    ['oracle', 7, 7],
    ['anolis', 7, 7],
    ['anolis', 8, 8],
    ['anolis', 23, 9],
    ['anolis', null, 8],
    // openEuler 20.03/22.03/24.03: `major` is 20/22/24, anaconda 33 reads RHEL 8 syntax.
    ['openeuler', 20, 8],
    ['openeuler', 22, 8],
    ['openeuler', 24, 8],
    ['openeuler', null, 8],
    ['kylin', 10, 8],
    ['kylin', 7, 7],
    ['kylin', null, 8],
    ['uos', 20, 8],
    ['fedora', 27, 7],
    ['fedora', 28, 8],
    ['fedora', 33, 8],
    ['fedora', 36, 8],
    ['fedora', 37, 9],
    ['fedora', 39, 9],
    ['fedora', 40, 10],
    ['fedora', 42, 10],
    ['somethingelse', 8, 8],
    ['somethingelse', null, 9],
  ] as const)('%s %s -> RHEL %s', (id, major, level) => {
    expect(rhelLevel({ id, major })).toBe(level);
  });
});

describe('commandStatus', () => {
  const d = (id: string, major: number) => ({ id, major });
  it.each([
    // pykickstart handlers/rhel{7,8,9,10}.py
    [d('centos', 7), 'install', 'ok'],
    [d('rocky', 8), 'install', 'deprecated'],
    [d('rocky', 9), 'install', 'removed'],
    [d('centos', 7), 'auth', 'ok'],
    [d('alma', 9), 'authconfig', 'deprecated'],
    [d('rhel', 10), 'authconfig', 'removed'],
    [d('centos', 7), 'authselect', 'absent'],
    [d('rocky', 8), 'authselect', 'ok'],
    [d('centos', 7), 'sshkey', 'absent'],
    [d('rocky', 8), 'sshkey', 'ok'],
    [d('rocky', 8), 'timesource', 'absent'],
    [d('rocky', 9), 'timesource', 'ok'],
    [d('rocky', 9), 'device', 'removed'],
    [d('rhel', 10), 'method', 'removed'],
    [d('centos', 7), 'unsupported_hardware', 'ok'],
    [d('rocky', 8), 'unsupported_hardware', 'absent'],
    [d('rocky', 9), 'logging', 'ok'],
    [d('rocky', 9), 'sshpw', 'ok'],
    [d('rocky', 9), 'pwpolicy', 'unknown'],
    [d('rocky', 9), 'rm', 'unknown'],
    // openEuler's anaconda removes authconfig (backport-remove-authconfig-support.patch) and install.
    [d('openeuler', 22), 'auth', 'removed'],
    [d('openeuler', 22), 'install', 'removed'],
    [d('openeuler', 22), 'authselect', 'ok'],
    [d('anolis', 8), 'auth', 'deprecated'],
  ] as const)('%j %s -> %s', (distro, command, status) => {
    expect(commandStatus(distro, command)).toBe(status);
  });
});

describe('knowsRootAllowSsh', () => {
  it.each([
    [{ id: 'rhel', major: 8, minor: 9 }, false],
    [{ id: 'rhel', major: 9, minor: 0 }, false],
    [{ id: 'rocky', major: 9, minor: 1 }, true],
    [{ id: 'centos-stream', major: 9, minor: null }, true],
    [{ id: 'rhel', major: 10, minor: 0 }, true],
    [{ id: 'fedora', major: 37, minor: 0 }, true],
    [{ id: 'fedora', major: 36, minor: 0 }, false],
  ])('%j -> %s', (distro, known) => {
    expect(knowsRootAllowSsh(distro)).toBe(known);
  });
});
