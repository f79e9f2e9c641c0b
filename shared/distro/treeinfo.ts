/**
 * `.treeinfo` (anaconda `tree_info.py` reads `.treeinfo`, then `treeinfo`). Two shapes exist:
 *  - productmd 1.x (`[header] type = productmd.treeinfo`, `[release]`, `[tree]`, `[variant-*]`,
 *    `[images-<platform>]`, `[stage2]`, `[media]`), which still carries a `[general]` section "for
 *    compatibility with pre-productmd treeinfos" (productmd docs, treeinfo-1.0..1.2; seen on CentOS 8);
 *  - the older form with only `[general]` (`family`, `name`, `version`, `arch`, `variant`, `packagedir`,
 *    `discnum`, `totaldiscs`), `[stage2]` and `[images-*]`: RHEL/CentOS 5-7, and (unverified per release)
 *    openEuler, Kylin and UOS media.
 * Values are kept as written; interpretation (which distro, which version) belongs to detect.ts.
 */
import { iniGet, iniList, parseIni } from './ini.ts';

export interface TreeinfoVariant {
  /** Section suffix / `uid` (e.g. `BaseOS`). */
  uid: string;
  id: string | null;
  name: string | null;
  type: string | null;
  /** Repository directory relative to the tree root (`BaseOS`; `.` for a root repository). */
  repository: string | null;
  packages: string | null;
}

export interface Treeinfo {
  format: 'productmd' | 'legacy';
  /** `[header] version` (productmd only), e.g. `1.2`. */
  formatVersion: string | null;
  /** `[release] name`, else `[general] family`: "Red Hat Enterprise Linux", "CentOS". */
  family: string | null;
  /** `[general] name` (e.g. "CentOS-7", "openEuler-22.03-LTS"), else `[release] name` + version. */
  name: string | null;
  /** `[release] short` (RHEL, CentOS, Rocky...), productmd only. */
  short: string | null;
  /** `[release] version`, else `[general] version`. */
  version: string | null;
  /** `[tree] arch`, else `[general] arch`, as written. */
  arch: string | null;
  platforms: string[];
  variants: TreeinfoVariant[];
  /** `[images-<platform>]` sections: platform (lowercased) -> image name (lowercased) -> path. */
  images: Record<string, Record<string, string>>;
  /** `[stage2] mainimage`. */
  stage2: string | null;
  /** `[general] packagedir`. */
  packagedir: string | null;
  discnum: number | null;
  totaldiscs: number | null;
}

function intOrNull(text: string | null): number | null {
  if (text === null || !/^\d{1,6}$/.test(text)) return null;
  return Number(text);
}

/** Null when the text has none of the sections a treeinfo is made of (garbage, another INI file). */
export function parseTreeinfo(text: string): Treeinfo | null {
  const ini = parseIni(text);
  const productmd = iniGet(ini, 'header', 'type') === 'productmd.treeinfo' || ini.has('release') || ini.has('tree');
  const images: Record<string, Record<string, string>> = {};
  for (const [section, values] of ini) {
    if (!section.startsWith('images-')) continue;
    const platform = section.slice('images-'.length);
    if (platform === '') continue;
    const map: Record<string, string> = {};
    for (const [k, v] of values) if (v !== '') map[k] = v;
    images[platform] = map;
  }
  if (!productmd && !ini.has('general') && Object.keys(images).length === 0 && !ini.has('stage2')) return null;

  const variantUids = iniList(ini, 'tree', 'variants');
  const variants: TreeinfoVariant[] = [];
  for (const [section] of ini) {
    if (!section.startsWith('variant-')) continue;
    const s = (k: string) => iniGet(ini, section, k);
    // Section names were lowercased by the parser; `uid` keeps the spelling when present.
    const uid = s('uid') ?? variantUids.find((u) => u.toLowerCase() === section.slice(8)) ?? section.slice(8);
    variants.push({ uid, id: s('id'), name: s('name'), type: s('type'), repository: s('repository'), packages: s('packages') });
  }
  // Pre-productmd trees name variants in [general] (`variants = AppStream,BaseOS` or `variant = Server`).
  if (variants.length === 0) {
    const legacy = variantUids.length > 0 ? variantUids : iniList(ini, 'general', 'variants');
    for (const uid of legacy) variants.push({ uid, id: uid, name: null, type: 'variant', repository: null, packages: null });
  }

  const releaseName = iniGet(ini, 'release', 'name');
  const releaseVersion = iniGet(ini, 'release', 'version');
  const generalName = iniGet(ini, 'general', 'name');
  return {
    format: productmd ? 'productmd' : 'legacy',
    formatVersion: productmd ? iniGet(ini, 'header', 'version') : null,
    family: releaseName ?? iniGet(ini, 'general', 'family'),
    name: generalName ?? (releaseName ? [releaseName, releaseVersion].filter(Boolean).join(' ') : null),
    short: iniGet(ini, 'release', 'short'),
    version: releaseVersion ?? iniGet(ini, 'general', 'version'),
    arch: iniGet(ini, 'tree', 'arch') ?? iniGet(ini, 'general', 'arch'),
    platforms: iniList(ini, 'tree', 'platforms').length > 0 ? iniList(ini, 'tree', 'platforms') : iniList(ini, 'general', 'platforms'),
    variants,
    images,
    stage2: iniGet(ini, 'stage2', 'mainimage') ?? iniGet(ini, 'stage2', 'instimage'),
    packagedir: iniGet(ini, 'general', 'packagedir'),
    discnum: intOrNull(iniGet(ini, 'media', 'discnum') ?? iniGet(ini, 'general', 'discnum')),
    totaldiscs: intOrNull(iniGet(ini, 'media', 'totaldiscs') ?? iniGet(ini, 'general', 'totaldiscs')),
  };
}
