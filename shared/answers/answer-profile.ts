/**
 * A whole answer profile: the common fields plus one section per installer family, so one profile (say "web
 * servers") installs whichever ISO a machine is given. What the core stores, the forms edit and the API moves.
 * The family comes from the ISO (`familyOf`); the file names each family fetches from `answerFiles`.
 */
import { z } from 'zod';
import { parseAutoinstall } from './autoinstall/parse.ts';
import { renderAutoinstall } from './autoinstall/render.ts';
import { autoinstallSectionSchema } from './autoinstall/section.ts';
import { validateAutoinstall } from './autoinstall/validate.ts';
import { parseKickstart } from './kickstart/parse.ts';
import { renderKickstart } from './kickstart/render.ts';
import { kickstartSectionSchema } from './kickstart/section.ts';
import { validateKickstart } from './kickstart/validate.ts';
import { parsePreseed } from './preseed/parse.ts';
import { renderPreseed } from './preseed/render.ts';
import { preseedSectionSchema } from './preseed/section.ts';
import { validatePreseed } from './preseed/validate.ts';
import { commonProfileSchema, type AnswerContext, type AnswerIssue, type CommonProfile } from './profile.ts';

export const ANSWER_FAMILIES = ['kickstart', 'autoinstall', 'preseed'] as const;
export type AnswerFamily = (typeof ANSWER_FAMILIES)[number];

export const answerProfileSchema = z
  .object({
    ...commonProfileSchema.shape,
    kickstart: kickstartSectionSchema.prefault({}),
    autoinstall: autoinstallSectionSchema.prefault({}),
    preseed: preseedSectionSchema.prefault({}),
  })
  .strict();

export type AnswerProfileInput = z.input<typeof answerProfileSchema>;
export type AnswerProfile = z.output<typeof answerProfileSchema>;

/** The answer-file family of an ISO's distro family (shared/distro Family), or null (Windows, unknown). */
export function familyOf(distroFamily: string): AnswerFamily | null {
  if (distroFamily === 'rhel') return 'kickstart';
  if (distroFamily === 'ubuntu') return 'autoinstall';
  if (distroFamily === 'debian') return 'preseed';
  return null;
}

/** The files a family's installer fetches from `answers/<mac>/`, the main one first. */
export function answerFiles(family: AnswerFamily): readonly string[] {
  if (family === 'kickstart') return ['ks.cfg'];
  if (family === 'preseed') return ['preseed.cfg'];
  // cloud-init's nocloud-net fetches all three; vendor-data may be empty.
  return ['user-data', 'meta-data', 'vendor-data'];
}

const common = (p: AnswerProfile): CommonProfile => {
  const { kickstart: _k, autoinstall: _a, preseed: _p, ...rest } = p;
  return rest;
};

/**
 * One file of a profile for one machine, or null when the family has no such file. Throws (an Error with a
 * message a technician can act on) when the profile cannot be written safely: a password not yet hashed, a
 * script that would break out of its section. `validateAnswerProfile` reports the same things as issues first.
 */
export function renderAnswerFile(profile: AnswerProfile, family: AnswerFamily, file: string, ctx: AnswerContext): string | null {
  if (!answerFiles(family).includes(file)) return null;
  if (family === 'kickstart') return renderKickstart(common(profile), profile.kickstart, ctx);
  if (family === 'preseed') return renderPreseed(common(profile), profile.preseed, ctx);
  if (file === 'vendor-data') return '';
  const r = renderAutoinstall(common(profile), profile.autoinstall, ctx);
  return file === 'user-data' ? r.userData : r.metaData;
}

export interface ValidationTarget {
  family: AnswerFamily;
  distro: AnswerContext['distro'];
  firmware: 'bios' | 'uefi';
  /** The machine's render context when a preview is for a machine (static address, host name...). */
  ctx?: AnswerContext;
}

/** Field-level issues (zod) plus the family's semantic rules; the profile parsed when its fields are valid. */
export function validateAnswerProfile(input: unknown, target: ValidationTarget): { profile: AnswerProfile | null; issues: AnswerIssue[] } {
  const parsed = answerProfileSchema.safeParse(input);
  const body = (input ?? {}) as Record<string, unknown>;
  const { kickstart, autoinstall, preseed, ...commonPart } = body;
  let issues: AnswerIssue[];
  if (target.family === 'kickstart') {
    issues = validateKickstart(commonPart as never, (kickstart ?? {}) as never, { distro: target.distro, firmware: target.firmware, address: target.ctx?.address ?? null });
  } else if (target.family === 'autoinstall') {
    issues = validateAutoinstall(commonPart, autoinstall ?? {}, target.ctx).issues;
  } else {
    issues = validatePreseed(commonPart, preseed ?? {}, target.ctx).issues;
  }
  if (!parsed.success) {
    // Errors in another family's section (or unknown top-level keys) are not in the family's own report.
    const seen = new Set(issues.map((i) => `${i.path.join('.')}|${i.message}`));
    for (const z of parsed.error.issues) {
      const path = z.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
      if (!seen.has(`${path.join('.')}|${z.message}`) && !issues.some((i) => i.path.join('.') === path.join('.'))) {
        issues.push({ path, code: 'INVALID_FIELD', message: z.message, severity: 'error' });
      }
    }
  }
  return { profile: parsed.success ? parsed.data : null, issues };
}

/** Imports an existing answer file into a profile body (unsaved); the issues say what was dropped or needs a look. */
export function importAnswerFile(text: string, family: AnswerFamily, name?: string): { body: AnswerProfileInput; issues: AnswerIssue[] } {
  if (family === 'kickstart') {
    const r = parseKickstart(text);
    return { body: { ...r.profile, ...(name ? { name } : {}), kickstart: r.section }, issues: r.issues };
  }
  if (family === 'autoinstall') {
    const r = parseAutoinstall(text, name ? { name } : {});
    return { body: { ...r.profile, ...(name ? { name } : {}), autoinstall: r.section }, issues: r.issues };
  }
  const r = parsePreseed(text, name ? { name } : {});
  return { body: { ...r.profile, ...(name ? { name } : {}), preseed: r.section }, issues: r.issues };
}
