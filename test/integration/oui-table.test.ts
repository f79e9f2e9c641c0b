/**
 * The Machines screen's OUI table against the IEEE registry as Debian ships it (package ieee-data): every
 * prefix but QEMU's local one must be assigned to the registrant the table names. Skips, saying why, where
 * the registry file is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OUI_TABLE } from '../../renderer/src/features/machines/data/oui.ts';
import { announceSkip } from '../helpers/root.ts';

const REGISTRY = '/usr/share/ieee-data/oui.txt';
const skip = announceSkip('OUI table vs the IEEE registry', existsSync(REGISTRY) ? null : `${REGISTRY} is missing: apt-get install ieee-data`);

describe.skipIf(skip)('OUI table', () => {
  it('names each prefix as the IEEE registry does', () => {
    // Lines like "001422     (base 16)		Dell Inc."
    const registry = new Map<string, string>();
    for (const m of readFileSync(REGISTRY, 'utf8').matchAll(/^([0-9A-F]{6})\s+\(base 16\)\s+(.*?)\s*$/gm)) registry.set(m[1]!, m[2]!);
    expect(registry.size).toBeGreaterThan(10_000);
    const wrong: string[] = [];
    for (const [prefix, , registrant] of OUI_TABLE) {
      const key = prefix.replace(/:/g, '').toUpperCase();
      if (registrant.startsWith('locally administered')) {
        expect(registry.has(key), `${prefix} is local, so never assigned`).toBe(false);
        continue;
      }
      if (registry.get(key) !== registrant) wrong.push(`${prefix}: table says ${registrant}, registry says ${registry.get(key) ?? 'unassigned'}`);
    }
    expect(wrong).toEqual([]);
  });
});
