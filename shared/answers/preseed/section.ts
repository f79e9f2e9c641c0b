/**
 * The Debian preseed section of a profile: what debian-installer 12 asks beyond the common profile
 * (Debian installation guide appendix B, `example-preseed.txt` for bookworm; boot-chains.md §4.4, §6.3).
 * Lines an import does not map are kept verbatim in `advanced` and written after rackboot's own.
 */
import { z } from 'zod';
import { deviceSchema, oneLineSchema } from '../profile.ts';

/** `host` or `host:port` (choose-mirror takes the port in the host name). */
const MIRROR_HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})(:\d{1,5})?$/;

export const PRESEED_RECIPES = ['atomic', 'home', 'multi'] as const;

export const preseedSectionSchema = z
  .object({
    /**
     * The HTTP mirror; null: the ISO on rackboot's HTTP server (a netinst ISO carries `dists/` and `pool/`, so
     * its URL is a mirror: hostname = the server's `host:port`, directory = `/iso/<id>`).
     */
    mirror: z
      .object({
        hostname: z.string().regex(MIRROR_HOST, 'a host name or address, optionally with :port'),
        directory: z.string().regex(/^\/[A-Za-z0-9._~/+-]{0,254}$/, 'a path such as /debian'),
      })
      .strict()
      .nullable()
      .default(null),
    proxy: z
      .string()
      .regex(/^https?:\/\/[^\s'"`$\\]{1,2000}$/, 'an http:// proxy URL')
      .optional(),
    /** The suite to install (`bookworm`, `stable`); unset: the installer's own. */
    suite: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,31}$/)
      .optional(),
    /** tasksel tasks (`standard`, `ssh-server`, `web-server`, `gnome-desktop`...). */
    tasks: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a tasksel task name'))
      .max(32)
      .default(['standard', 'ssh-server']),
    popularityContest: z.boolean().default(false),
    /** The guided recipe for the automatic layouts (auto/lvm/plain); custom layouts become an expert_recipe. */
    recipe: z.enum(PRESEED_RECIPES).default('atomic'),
    /** `grub-installer/bootdev` on BIOS: `default` is the target disk (or d-i's first disk for target auto). */
    bootDevice: z.union([z.literal('default'), deviceSchema]).default('default'),
    /** apt-setup/services-select: none by default (the ISO mirror works on an isolated install network). */
    aptServices: z.array(z.enum(['security', 'updates', 'backports'])).max(3).default([]),
    /** pkgsel/upgrade after the base install. */
    upgrade: z.enum(['none', 'safe-upgrade', 'full-upgrade']).default('none'),
    /**
     * Per common repository (by name): suite (default: the install's suite, else `stable`), components
     * (default `main`), the signing key URL (`http(s)://` or `base64://`, apt-setup/localN/key) or `trusted`
     * (written `[trusted=yes]`; without either, apt-setup comments the repository out).
     */
    repositories: z
      .record(
        z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
        z
          .object({
            suite: z
              .string()
              .regex(/^[a-z0-9][a-z0-9./-]{0,63}$/)
              .optional(),
            components: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/)).max(8).optional(),
            key: z
              .string()
              .regex(/^(https?:\/\/[^\s'"`$\\]{1,2000}|base64:\/\/[A-Za-z0-9+/=]{1,65536})$/)
              .optional(),
            trusted: z.boolean().default(false),
          })
          .strict(),
      )
      .default({}),
    /** A preseed/late_command from an import (installer environment, /target is the new system): run before the post script. */
    lateCommand: oneLineSchema.default(''),
    /** Preseed lines an import did not map (`owner question type value`), written verbatim after rackboot's. */
    advanced: z.array(oneLineSchema).max(2000).default([]),
  })
  .strict();

export type PreseedSectionInput = z.input<typeof preseedSectionSchema>;
export type PreseedSection = z.output<typeof preseedSectionSchema>;
