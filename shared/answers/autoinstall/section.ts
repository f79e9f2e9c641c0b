/**
 * The Ubuntu autoinstall section of a profile: what subiquity asks beyond the common profile
 * (subiquity `autoinstall-schema.json` and `doc/reference/autoinstall-reference.rst`, canonical/subiquity@44e42fc).
 *
 * Everything an import does not map is kept: top-level autoinstall keys in `advanced`, cloud-config keys under
 * `autoinstall.user-data` in `userDataAdvanced`, cloud-config keys beside `autoinstall:` (they configure the live
 * installer session) in `liveUserData`, foreign late-commands in `lateCommands`. All are re-emitted verbatim.
 */
import { z } from 'zod';

/** A udev match glob (subiquity match specs support fnmatch globbing). */
const GLOB = /^[A-Za-z0-9_.:*?[\]/+-]{1,200}$/;
const glob = z.string().regex(GLOB, 'letters, digits, _ . : / + - and the glob characters * ? [ ]');

export const AUTOINSTALL_LAYOUTS = ['lvm', 'direct', 'zfs'] as const;

/** Top-level autoinstall keys rackboot writes itself: `advanced` may not carry them (validate: AI_ADVANCED_RESERVED). */
export const AI_RESERVED_KEYS = ['version', 'early-commands', 'late-commands', 'user-data', 'identity', 'interactive-sections', 'shutdown'] as const;

export const autoinstallSectionSchema = z
  .object({
    storage: z
      .object({
        /**
         * Layout name; unset follows the common `disk.layout` (auto and lvm: `lvm`, plain: `direct`). `zfs` is
         * only reachable here. Ignored for `custom` (rendered as a curtin action list).
         */
        layout: z.enum(AUTOINSTALL_LAYOUTS).optional(),
        /** lvm only: `scaled` leaves room for snapshots (subiquity's default), `all` gives the root LV everything. */
        sizingPolicy: z.enum(['scaled', 'all']).default('scaled'),
        /** Which disk when the common `disk.target` is `auto` (with a device there, `path` is that device). */
        match: z
          .object({
            size: z.enum(['largest', 'smallest']).optional(),
            serial: glob.optional(),
            model: glob.optional(),
            /** A glob such as `/dev/nvme*`; an exact device belongs in the common `disk.target`. */
            path: glob.optional(),
            ssd: z.boolean().optional(),
          })
          .strict()
          .default({ size: 'largest' }),
      })
      .strict()
      .prefault({}),
    network: z
      .object({
        /**
         * The netplan id of the boot NIC (matched by its MAC) and, unless `rename` is false, its new name
         * (`set-name`) in the installed system: stable whatever the kernel calls the NIC.
         */
        interfaceName: z.string().regex(/^[a-z][a-z0-9]{0,14}$/, 'an interface name: lower-case letters and digits, at most 15').default('boot0'),
        rename: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    ssh: z
      .object({
        installServer: z.boolean().default(true),
        /** Password logins over SSH; unset: subiquity's default (allowed only when there are no keys). */
        allowPw: z.boolean().optional(),
      })
      .strict()
      .prefault({}),
    /** Updates installed before the first boot: `security` (subiquity's default) or `all`. */
    updates: z.enum(['security', 'all']).default('security'),
    drivers: z.object({ install: z.boolean().default(false) }).strict().prefault({}),
    /** The ISO's install source; unset: the ISO's default (ubuntu-server on the server ISO). */
    source: z
      .object({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a source id such as ubuntu-server or ubuntu-server-minimal').optional() })
      .strict()
      .prefault({}),
    /** Kernel: a flavour (`generic`, `hwe`) or a package; null: the ISO's default. */
    kernel: z
      .union([
        z.object({ flavor: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,63}$/) }).strict(),
        z.object({ package: z.string().regex(/^[a-z0-9][a-z0-9.+-]{0,127}$/) }).strict(),
      ])
      .nullable()
      .default(null),
    apt: z
      .object({
        /** geoip looks the country mirror up at geoip.ubuntu.com: off by default (install networks are often isolated). */
        geoip: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /**
     * Per common repository (by name): the apt line's suite and components. Defaults: `$RELEASE` (curtin puts the
     * target's codename there) and `main`. `key`: the ASCII-armoured signing key; without one the repository is
     * written `[trusted=yes]` only when `trusted` says so (otherwise apt refuses it unsigned).
     */
    repositories: z
      .record(
        z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
        z
          .object({
            suite: z.string().regex(/^(\$RELEASE|[a-z0-9][a-z0-9./-]{0,63})(-[a-z]+)?$/).optional(),
            components: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/)).max(8).optional(),
            key: z.string().max(65536).regex(/^-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]*-----END PGP PUBLIC KEY BLOCK-----\s*$/, 'an ASCII-armoured PGP public key').optional(),
            trusted: z.boolean().default(false),
          })
          .strict(),
      )
      .default({}),
    snaps: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a snap name'),
            channel: z.string().regex(/^[a-z0-9][a-z0-9./-]{0,63}$/).optional(),
            classic: z.boolean().default(false),
          })
          .strict(),
      )
      .max(64)
      .default([]),
    /** Update the installer snap first (needs the snap store): null leaves subiquity's default (no refresh). */
    refreshInstaller: z
      .object({ update: z.boolean(), channel: z.string().regex(/^[a-z0-9][a-z0-9./-]{0,63}$/).optional() })
      .strict()
      .nullable()
      .default(null),
    /** Screens still shown on the console (`*`: all, the file only sets defaults). */
    interactiveSections: z.array(z.string().regex(/^(\*|[a-z][a-z0-9-]{0,39})$/)).max(40).default([]),
    /**
     * late-commands from an import that are not rackboot's (installer environment, target at /target): run in
     * order after rackboot's own and before the post script.
     */
    lateCommands: z.array(z.string().min(1).max(1 << 16)).max(200).default([]),
    /** cloud-config for the installed system (autoinstall `user-data`) beyond what rackboot writes there itself. */
    userDataAdvanced: z.record(z.string(), z.unknown()).default({}),
    /** cloud-config beside `autoinstall:`: applies to the live installer session only. */
    liveUserData: z.record(z.string(), z.unknown()).default({}),
    /** Top-level autoinstall keys an import did not map (reporting, proxy, debconf-selections...), re-emitted. */
    advanced: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export type AutoinstallSectionInput = z.input<typeof autoinstallSectionSchema>;
export type AutoinstallSection = z.output<typeof autoinstallSectionSchema>;

