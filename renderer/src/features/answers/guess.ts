/**
 * What a pasted or picked file is, so Import can pick the family for the technician: a rackboot profile export,
 * a kickstart, an Ubuntu autoinstall user-data or a Debian preseed. The same rules as `rackboot answers import`
 * (electron/cli/answers.ts guessFamily), plus the export format; null when nothing says.
 */
import type { AnswerFamily } from '../../../../shared/answers/answer-profile.ts';

export type ImportFormat = AnswerFamily | 'profile';

/** `format` of a file made by exportProfile (electron/core/answers/profiles.ts PROFILE_EXPORT_FORMAT). */
export const PROFILE_EXPORT_FORMAT = 'rackboot-answer-profile';

export function guessFormat(text: string): ImportFormat | null {
  const t = text.trimStart();
  if (t.startsWith('{')) {
    try {
      const json = JSON.parse(t) as { format?: unknown };
      if (json && typeof json === 'object' && json.format === PROFILE_EXPORT_FORMAT) return 'profile';
    } catch {
      // Not JSON after all: look at it as an installer's file.
    }
  }
  if (/^\s*#cloud-config/m.test(text) || /^\s*autoinstall\s*:/m.test(text)) return 'autoinstall';
  if (/^\s*d-i\s+\S+\s+\S+/m.test(text)) return 'preseed';
  if (/^\s*%(packages|post|pre)\b/m.test(text) || /^\s*(rootpw|url|autopart|clearpart|lang|keyboard|timezone)\b/m.test(text)) return 'kickstart';
  return null;
}

/** A profile name from a file name: `web-tier.ks` -> `web-tier`. */
export function nameFromFile(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.rackboot-profile\.json$/i, '').replace(/\.(ks|cfg|seed|preseed|ya?ml|txt|json)$/i, '');
  return base.slice(0, 100);
}
