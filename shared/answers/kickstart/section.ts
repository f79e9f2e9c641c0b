/**
 * The kickstart section of a profile: what a technician sets for anaconda beyond the common profile, plus
 * `advanced`, which keeps verbatim whatever an imported kickstart had that the form does not model, so nothing
 * is lost on save. `kickstartSectionSchema.parse({})` is a complete section (installer defaults, text mode).
 *
 * Every string here is either a safe token (written unquoted) or checked so it cannot end its line or section.
 */
import { z } from 'zod';
import { LINE_BREAK, SECTION_HEADERS, scriptDirective, shlexSplit, splitLines } from './syntax.ts';

/** Kernel argument the installed system boots with: `console=ttyS0,115200n8`, `crashkernel=auto`, `quiet`. */
const KERNEL_ARG = /^[A-Za-z0-9_.,:=/+@-]{1,256}$/;
/** `grub2-mkpasswd-pbkdf2` output: bootloader `--iscrypted --password=`. */
const GRUB_PBKDF2 = /^grub\.pbkdf2\.sha512\.\d{1,7}\.[0-9A-Fa-f]{16,1024}\.[0-9A-Fa-f]{16,1024}$/;
/** Comps environment id (`minimal-environment`, `server-product-environment`, `graphical-server-environment`). */
const ENVIRONMENT = /^[A-Za-z0-9_.+-]{1,100}$/;
/** `%packages --instLangs=` entries (rpm `%_install_langs`: `en`, `en_US`, `zh_CN.UTF-8`). */
const LANG = /^[A-Za-z]{2,3}(_[A-Z]{2})?(\.[A-Za-z0-9-]+)?(@[A-Za-z]+)?$/;
/** authselect profile feature: `with-mkhomedir`, `with-faillock`, `with-sudo`. */
const AUTH_FEATURE = /^with-[a-z0-9-]{1,40}$/;
/** LVM volume group name (lvm(8): letters, digits, `+_.-`, not starting with `-`). */
const VG_NAME = /^[A-Za-z0-9_+.][A-Za-z0-9_+.-]{0,63}$/;

/** One kickstart command line kept from an import (`%include /tmp/part.ks`, `logging --level=debug`). */
export const advancedCommandSchema = z
  .string()
  .min(1)
  .max(8192)
  .refine((s) => !LINE_BREAK.test(s) && !s.includes('\0'), 'one line (no line breaks)')
  .refine((s) => !/\\\s*$/.test(s), 'no trailing backslash (it would join the next line)')
  .refine((s) => {
    const t = s.trimStart();
    if (t === '' || t.startsWith('#')) return false;
    if (!t.startsWith('%')) return true;
    return /^%(include|ksappend)\s/.test(t);
  }, 'a kickstart command (sections go in `sections`)')
  .refine((s) => {
    try {
      shlexSplit(s);
      return true;
    } catch {
      return false;
    }
  }, 'balanced quotes');

/** One whole section kept from an import, header to `%end`: `%addon ...`, `%anaconda`, `%post --interpreter=...`. */
export const advancedSectionSchema = z
  .string()
  .max(1 << 20)
  .superRefine((s, ctx) => {
    if (s.includes('\0')) ctx.addIssue({ code: 'custom', message: 'no NUL characters' });
    const lines = splitLines(s);
    const header = (lines[0] ?? '').trim().split(/\s+/)[0] ?? '';
    if (!SECTION_HEADERS.includes(header) || header === '%packages') {
      ctx.addIssue({ code: 'custom', message: `starts with a section header (${SECTION_HEADERS.filter((h) => h !== '%packages').join(', ')})` });
    }
    if (lines.length < 2 || scriptDirective(lines[lines.length - 1]!) !== 'end') ctx.addIssue({ code: 'custom', message: 'ends with a %end line' });
    lines.slice(1, -1).forEach((l, i) => {
      const d = scriptDirective(l);
      if (d === 'end' || d === 'header') ctx.addIssue({ code: 'custom', message: `line ${i + 2}: "${l.trim()}" would end the section early` });
    });
  });

export const kickstartSectionSchema = z
  .object({
    /** Installer interface: `text` (works on serial consoles), `graphical`, or `cmdline` (fails on any missing answer). */
    mode: z.enum(['text', 'graphical', 'cmdline']).default('text'),
    /** `eula --agreed`: RHEL's initial-setup does not stop at the licence screen. */
    eula: z.boolean().default(true),
    /** `skipx`: do not configure X on the installed system. */
    skipx: z.boolean().default(false),
    /** `firstboot --disable|--enable`; `default` writes nothing. */
    firstboot: z.enum(['disable', 'enable', 'default']).default('disable'),
    /** `%addon com_redhat_kdump --enable --reserve-mb=...` / `--disable`; `default` writes nothing. */
    kdump: z
      .object({
        state: z.enum(['default', 'enabled', 'disabled']).default('default'),
        reserveMb: z.union([z.literal('auto'), z.number().int().min(64).max(65536)]).default('auto'),
      })
      .strict()
      .prefault({}),
    /** `%packages` header options and the environment (`@^name`). */
    packages: z
      .object({
        /** `@^minimal-environment`: the base environment; null keeps anaconda's (with an empty %packages: @core). */
        environment: z.string().regex(ENVIRONMENT, 'an environment id such as minimal-environment').nullable().default(null),
        /** `--ignoremissing`: a package or group the repositories lack is skipped, not fatal. */
        ignoreMissing: z.boolean().default(false),
        /** `--nocore`: do not add @core (RHEL 7+). */
        noCore: z.boolean().default(false),
        /** `--excludeWeakdeps` (RHEL 8) / `--exclude-weakdeps` (RHEL 9+): skip Recommends. Not in RHEL 7 (yum). */
        excludeWeakdeps: z.boolean().default(false),
        /** `--excludedocs`. */
        excludeDocs: z.boolean().default(false),
        /** `--instLangs=` (7, 8) / `--inst-langs=` (9+): translations to install; [] installs all. */
        instLangs: z.array(z.string().regex(LANG, 'a language such as en or en_US')).max(64).default([]),
      })
      .strict()
      .prefault({}),
    /** RHEL 9+ `rootpw --allow-ssh`: allow root password logins over ssh (RHEL 9 sshd refuses them by default). */
    rootAllowSsh: z.boolean().default(false),
    bootloader: z
      .object({
        /** Extra kernel arguments (`--append=`), one token each. */
        append: z.array(z.string().regex(KERNEL_ARG, 'one kernel argument without spaces or quotes')).max(64).default([]),
        /** GRUB password (`grub2-mkpasswd-pbkdf2` output), null for none. */
        passwordHash: z.string().regex(GRUB_PBKDF2, 'a grub.pbkdf2.sha512... hash (grub2-mkpasswd-pbkdf2)').nullable().default(null),
        /** Menu timeout in seconds, null for the installer's. */
        timeout: z.number().int().min(0).max(600).nullable().default(null),
      })
      .strict()
      .prefault({}),
    /** authselect profile (RHEL 8+) or the authconfig equivalent (RHEL 7); `default` writes nothing. */
    auth: z
      .object({
        profile: z.enum(['default', 'sssd', 'winbind', 'nis', 'minimal']).default('default'),
        features: z.array(z.string().regex(AUTH_FEATURE, 'an authselect feature such as with-mkhomedir')).max(16).default([]),
      })
      .strict()
      .prefault({}),
    storage: z
      .object({
        /** Partition table when wiping: `auto` lets anaconda choose (BIOS: msdos up to RHEL 9 unless > 2 TiB, gpt from 10). */
        diskLabel: z.enum(['auto', 'gpt', 'msdos']).default('auto'),
        /** Custom layout: file systems other than /boot, /boot/efi and biosboot become LVs in this VG; null: plain partitions. */
        volumeGroup: z.string().regex(VG_NAME, 'a volume group name').nullable().default(null),
        /** An import kept a layout the form cannot hold in `advanced.commands`: the form's disk settings are not written. */
        verbatim: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** Options of the profile's `%post` (the post script). */
    post: z
      .object({
        /** `--nochroot`: run in the installer, the new system mounted at /mnt/sysimage. */
        nochroot: z.boolean().default(false),
        /** `--log=`: keep the output in /root/ks-post.log on the installed system. */
        log: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    /** What an import did not understand, written back verbatim (commands after the form's, sections after the profile's %post). */
    advanced: z
      .object({
        commands: z.array(advancedCommandSchema).max(1000).default([]),
        sections: z.array(advancedSectionSchema).max(200).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type KickstartSectionInput = z.input<typeof kickstartSectionSchema>;
export type KickstartSection = z.output<typeof kickstartSectionSchema>;
