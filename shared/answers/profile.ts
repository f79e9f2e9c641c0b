/**
 * The answer-file profile a technician edits through forms: one common base (what every installer needs to
 * know) plus one section per installer family (kickstart, autoinstall, preseed). The zod schemas are the
 * single source of truth for the renderer's forms and for the core, which validates again on save.
 *
 * Secrets: passwords are stored only as SHA-512 crypt hashes (`$6$...`). A form sends the plain text once in a
 * `PasswordInput` (`{ plain }`); the core hashes it (`hashPasswordInput`) before anything is stored.
 *
 * Per-machine values (host name, static address from the reservation, the NIC's MAC, the callback URLs) are not
 * part of a profile: they come in the `AnswerContext` at render time.
 */
import { z } from 'zod';

/** A SHA-512 crypt hash as `mkpasswd -m sha-512` / `openssl passwd -6` print it. */
export const CRYPT_SHA512 = /^\$6\$(rounds=\d{4,9}\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}$/;

/** Safe tokens: what may be written into an answer file unquoted (no whitespace, quotes or shell metacharacters). */
const HOSTNAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const USERNAME = /^[a-z_][a-z0-9_-]{0,31}$/;
const LOCALE = /^[A-Za-z]{2,3}(_[A-Z]{2})?(\.[A-Za-z0-9-]+)?(@[A-Za-z]+)?$/;
const KEYMAP = /^[A-Za-z0-9_-]{1,32}(\([A-Za-z0-9_-]{1,32}\))?$/;
const TIMEZONE = /^(UTC|[A-Z][A-Za-z_+-]*(\/[A-Za-z0-9_+-]+){0,2})$/;
const DEVICE = /^\/dev\/[A-Za-z0-9/_.:-]{1,200}$/;
const PACKAGE = /^[@A-Za-z0-9_.+:*-]{1,200}$/; // '@group', 'name*', '-excluded' checked by the family renderer
const MOUNT = /^(\/[A-Za-z0-9_.-]*)+$|^swap$|^biosboot$/;
// eslint-disable-next-line no-control-regex -- line breaks and controls are what these patterns refuse
const SSH_KEY = /^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/=]{16,16384}( [^\r\n\v\f\x1c-\x1e\x85\u2028\u2029\0]{0,200})?$/;
/** No line breaks in any sense a parser downstream uses (Python's splitlines: \v \f \x1c-\x1e \x85 U+2028/9 too), no NUL. */
// eslint-disable-next-line no-control-regex -- line breaks and controls are what these patterns refuse
const NO_NEWLINE = /^[^\r\n\v\f\x1c-\x1e\x85\u2028\u2029\0]*$/;

export const hostnameSchema = z.string().regex(HOSTNAME, 'a host name: letters, digits and hyphens, dot-separated');
export const usernameSchema = z.string().regex(USERNAME, 'a user name: lower-case letters, digits, _ and -, starting with a letter');
export const cryptHashSchema = z.string().regex(CRYPT_SHA512, 'a SHA-512 crypt hash ($6$...)');
export const sshKeySchema = z.string().regex(SSH_KEY, 'one OpenSSH public key line (type, base64, optional comment)');
export const packageSchema = z.string().regex(PACKAGE, 'a package or @group name');
export const deviceSchema = z.string().regex(DEVICE, 'a device path such as /dev/sda or /dev/disk/by-id/...');
export const oneLineSchema = z.string().max(4096).regex(NO_NEWLINE, 'one line (no line breaks)');
export const urlSchema = z
  .string()
  .max(2048)
  // eslint-disable-next-line no-control-regex -- line breaks and controls are what these patterns refuse
  .regex(/^(https?|ftp|nfs):\/\/[^\s'"`$\\\x00-\x1f\x7f\x85]+$/, 'an http://, https://, ftp:// or nfs:// URL without spaces or quotes');

/** A password as the form sends it (plain, hashed by the core) or as stored (hash). `null`: no password (locked). */
export const passwordInputSchema = z.union([
  z.object({ hash: cryptHashSchema }).strict(),
  z.object({ plain: z.string().min(1).max(1024) }).strict(),
]);
export type PasswordInput = z.infer<typeof passwordInputSchema>;

export const partitionSchema = z
  .object({
    /** `/`, `/boot`, `/boot/efi`, `/home`, `swap`, `biosboot`... */
    mount: z.string().regex(MOUNT, 'a mount point (/, /boot, /home...), swap or biosboot'),
    /** Size in MiB; `grow: true` makes it take the rest of the disk (at least `sizeMiB`). */
    sizeMiB: z.number().int().min(1).max(1 << 30),
    grow: z.boolean().default(false),
    fsType: z.enum(['xfs', 'ext4', 'ext3', 'btrfs', 'vfat', 'swap', 'biosboot']).optional(),
  })
  .strict();
export type Partition = z.infer<typeof partitionSchema>;

export const commonProfileSchema = z
  .object({
    name: z.string().min(1).max(100).regex(NO_NEWLINE),
    description: z.string().max(2000).default(''),
    locale: z
      .object({
        language: z.string().regex(LOCALE, 'a locale such as en_US.UTF-8').default('en_US.UTF-8'),
        keyboard: z.string().regex(KEYMAP, 'a keyboard layout such as us or de(nodeadkeys)').default('us'),
        timezone: z.string().regex(TIMEZONE, 'an IANA time zone such as Europe/Berlin or UTC').default('UTC'),
        /** Hardware clock in UTC. */
        utc: z.boolean().default(true),
        /** NTP servers; [] keeps the installer's default. */
        ntp: z.array(z.string().regex(HOSTNAME)).max(8).default([]),
      })
      .strict()
      .prefault({}),
    network: z
      .object({
        /** `dhcp`, or `static`: the machine's reservation address with the pool's prefix, gateway and DNS. */
        mode: z.enum(['dhcp', 'static']).default('dhcp'),
        /** Host name when the machine has none of its own (reservation or plan). */
        hostname: hostnameSchema.optional(),
        domain: hostnameSchema.optional(),
        /** DNS servers for static mode (dotted quads); DHCP mode takes the server's. */
        dns: z.array(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/)).max(4).default([]),
      })
      .strict()
      .prefault({}),
    disk: z
      .object({
        /** `auto`: the installer's first suitable disk; a device path otherwise. */
        target: z.union([z.literal('auto'), deviceSchema]).default('auto'),
        /** Wipe every partition table on the target (and only the target) first. */
        wipe: z.boolean().default(true),
        /** `auto`: the installer's recommended layout; `lvm`/`plain`: automatic with that scheme; `custom`: `partitions`. */
        layout: z.enum(['auto', 'lvm', 'plain', 'custom']).default('lvm'),
        partitions: z.array(partitionSchema).max(32).default([]),
      })
      .strict()
      .prefault({}),
    accounts: z
      .object({
        /** Root password (hash) or null: root locked, the user gets sudo. */
        root: passwordInputSchema.nullable().default(null),
        user: z
          .object({
            name: usernameSchema,
            // eslint-disable-next-line no-control-regex -- line breaks and controls are what these patterns refuse
            fullName: z.string().max(200).regex(/^[^\r\n\v\f\x1c-\x1e\x85\u2028\u2029\0:,]*$/, 'no line breaks, colons or commas').default(''),
            password: passwordInputSchema.nullable().default(null),
            /** Member of wheel/sudo. */
            admin: z.boolean().default(true),
          })
          .strict()
          .nullable()
          .default(null),
        sshKeys: z.array(sshKeySchema).max(64).default([]),
      })
      .strict()
      .prefault({}),
    packages: z
      .object({
        /** Packages (`@group`/`@^environment` for kickstart). */
        install: z.array(packageSchema).max(2000).default([]),
        exclude: z.array(packageSchema).max(2000).default([]),
        /** Extra repositories beside the ISO (which is always the first source). */
        repositories: z
          .array(z.object({ name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), url: urlSchema }).strict())
          .max(32)
          .default([]),
      })
      .strict()
      .prefault({}),
    security: z
      .object({
        selinux: z.enum(['enforcing', 'permissive', 'disabled']).default('enforcing'),
        firewall: z.boolean().default(true),
        /** Services allowed through the firewall (firewalld names: ssh, http...). */
        firewallServices: z.array(z.string().regex(/^[a-z0-9_-]{1,64}$/)).max(64).default(['ssh']),
        enableServices: z.array(z.string().regex(/^[A-Za-z0-9@_.-]{1,128}$/)).max(64).default([]),
        disableServices: z.array(z.string().regex(/^[A-Za-z0-9@_.-]{1,128}$/)).max(64).default([]),
      })
      .strict()
      .prefault({}),
    /** Shell run in the installer before it starts (kickstart %pre, autoinstall early-commands, preseed early_command). */
    preScript: z.string().max(1 << 20).default(''),
    /** Shell run in the installed system at the end (kickstart %post, late-commands in-target, preseed late_command). */
    postScript: z.string().max(1 << 20).default(''),
    /** What the machine does when the install is done. */
    finish: z.enum(['reboot', 'poweroff']).default('reboot'),
  })
  .strict();

export type CommonProfileInput = z.input<typeof commonProfileSchema>;
export type CommonProfile = z.output<typeof commonProfileSchema>;

/** What the server knows about one machine and one ISO when it serves the answer file. */
export interface AnswerContext {
  /** Canonical MAC `aa:bb:cc:dd:ee:ff`: kickstart `--device=`, netplan `match: macaddress`. */
  mac: string;
  /** Resolved host name: reservation/plan first, then the profile's, else null (installer default). */
  hostname: string | null;
  /** Static settings (from the reservation and the pool) when the profile says static, else null. */
  address: { ip: string; prefix: number; gateway: string | null; dns: string[] } | null;
  firmware: 'bios' | 'uefi';
  /** The ISO as the installer's source: `http://A:P/iso/<id>/` (trailing slash). */
  isoUrl: string;
  /** Callback URLs, token included: GET them once each. */
  callbacks: { started: string; done: string };
  /** Distro: `major`/`minor` select the syntax (RHEL 7 vs 8/9...). */
  distro: { id: string; name: string; major: number | null; minor: number | null };
}

/**
 * The line every rendered file carries (as a comment in its own syntax) naming the callbacks: the test probe
 * initrd reads it, and a technician reading the file sees where it reports.
 */
export function callbackComment(c: AnswerContext): string {
  return `rackboot-callback: ${c.callbacks.started} ${c.callbacks.done}`;
}

/** One validation finding, at a form field path (`['disk', 'partitions', 0, 'mount']`), `[]` for the whole file. */
export interface AnswerIssue {
  path: (string | number)[];
  /** Stable code the form maps to wording: `KS_REMOVED_COMMAND`, `UEFI_NEEDS_EFI_PARTITION`... */
  code: string;
  message: string;
  severity: 'error' | 'warning';
}
