/**
 * Windows setup media facts that are cheap to read: `sources/idwbinfo.txt` (an INI file with a
 * `[BUILDINFO]` section: `BuildArch=amd64`, `BuildBranch=ge_release`, `BuildType=fre`...) and the volume
 * label (`CCCOMA_X64FRE_EN-US_DV9` for client media, `SSS_X64FREE_EN-US_DV9` for Server). Both formats are
 * unverified against Microsoft documentation (there is none); they are what published media carry.
 * The branch -> build -> product table below is likewise community knowledge (unverified); a branch not in
 * it yields no version rather than a guess.
 */
import { normaliseArch, type Arch } from './arch.ts';
import { iniGet, parseIni } from './ini.ts';

export interface IdwbInfo {
  arch: Arch | null;
  /** e.g. `ge_release`, lowercased. */
  branch: string | null;
  /** `fre` (retail) or `chk`. */
  buildType: string | null;
}

export function parseIdwbinfo(text: string): IdwbInfo | null {
  const ini = parseIni(text);
  if (!ini.has('buildinfo')) return null;
  return {
    arch: normaliseArch(iniGet(ini, 'buildinfo', 'buildarch')),
    branch: iniGet(ini, 'buildinfo', 'buildbranch')?.toLowerCase() ?? null,
    buildType: iniGet(ini, 'buildinfo', 'buildtype')?.toLowerCase() ?? null,
  };
}

export interface WindowsLabel {
  arch: Arch | null;
  /** `SSS_` labels are Server media (unverified beyond 2016-2025). */
  server: boolean;
  /** Language tag from the label (`en-us`), lowercased, or null. */
  language: string | null;
}

/** Reads `CCCOMA_X64FRE_EN-US_DV9`-style labels; null when the label does not have that shape. */
export function parseWindowsLabel(label: string): WindowsLabel | null {
  const m = /^([A-Z0-9]{2,12})_(X64|X86|ARM64|A64)(?:FREV?|FREE|CHK)(?:_([A-Z]{2}-[A-Z]{2}))?(?:_|$)/i.exec(label.trim());
  if (!m) return null;
  const archWord = m[2]!.toUpperCase();
  return {
    arch: archWord === 'X64' ? 'x86_64' : archWord === 'X86' ? 'i386' : 'aarch64',
    server: m[1]!.toUpperCase() === 'SSS',
    language: m[3]?.toLowerCase() ?? null,
  };
}

/** Branch -> build number, client product/release, server product (unverified, see module comment). */
const BRANCHES: Record<string, { build: number; client: string | null; server: string | null }> = {
  th1: { build: 10240, client: '10 1507', server: null },
  th2_release: { build: 10586, client: '10 1511', server: null },
  rs1_release: { build: 14393, client: '10 1607', server: '2016' },
  rs2_release: { build: 15063, client: '10 1703', server: null },
  rs3_release: { build: 16299, client: '10 1709', server: null },
  rs4_release: { build: 17134, client: '10 1803', server: null },
  rs5_release: { build: 17763, client: '10 1809', server: '2019' },
  '19h1_release': { build: 18362, client: '10 1903', server: null },
  vb_release: { build: 19041, client: '10 2004+', server: null },
  // fe_release shipped as Server 2022 only (client media of it are unknown here).
  fe_release: { build: 20348, client: null, server: '2022' },
  co_release: { build: 22000, client: '11 21H2', server: null },
  ni_release: { build: 22621, client: '11 22H2/23H2', server: null },
  ge_release: { build: 26100, client: '11 24H2', server: '2025' },
};

export interface WindowsVersion {
  /** "11", "10", "2022". */
  version: string;
  /** 11, 10, 2022. */
  major: number;
  /** "Windows 11 24H2 (build 26100)", "Windows Server 2022 (build 20348)". */
  name: string;
  build: number;
}

export function windowsVersion(branch: string | null, server: boolean): WindowsVersion | null {
  const row = branch === null ? undefined : BRANCHES[branch];
  if (!row) return null;
  if ((server || row.client === null) && row.server !== null) {
    return { version: row.server, major: Number(row.server), name: `Windows Server ${row.server} (build ${row.build})`, build: row.build };
  }
  const [major = '10', release] = (row.client ?? '10').split(' ');
  return { version: major, major: Number(major), name: `Windows ${major}${release ? ` ${release}` : ''} (build ${row.build})`, build: row.build };
}
