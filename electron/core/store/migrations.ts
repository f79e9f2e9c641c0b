/**
 * Numbered migrations (CONVENTIONS §7). Append only: never edit a shipped migration. Each runs in one
 * transaction together with the `user_version` bump.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: settings as validated JSON values; the event log.
  `
  CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;
  CREATE TABLE events (
    id      INTEGER PRIMARY KEY,
    ts      INTEGER NOT NULL,
    service TEXT NOT NULL,
    level   TEXT NOT NULL,
    mac     TEXT,
    ip      TEXT,
    msg     TEXT NOT NULL,
    fields  TEXT NOT NULL DEFAULT '{}'
  ) STRICT;
  CREATE INDEX events_mac ON events (mac, ts);
  `,
  // 2: DHCP leases, one row per client (option 61 or MAC), written on every state change.
  `
  CREATE TABLE leases (
    client_key TEXT PRIMARY KEY,
    mac        TEXT NOT NULL,
    ip         TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('bound', 'released', 'declined')),
    expires_at INTEGER NOT NULL,
    hostname   TEXT,
    updated_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX leases_ip ON leases (ip);
  CREATE INDEX leases_mac ON leases (mac);
  `,
  // 3: the ISO library: each image's identity (to notice a changed file) and its index (to serve without re-reading).
  `
  CREATE TABLE isos (
    id          TEXT PRIMARY KEY,
    path        TEXT NOT NULL UNIQUE,
    size        INTEGER NOT NULL,
    mtime_ms    REAL NOT NULL,
    fingerprint TEXT NOT NULL,
    summary     TEXT NOT NULL,
    idx         TEXT NOT NULL,
    sha256      TEXT,
    added_at    INTEGER NOT NULL,
    indexed_at  INTEGER NOT NULL
  ) STRICT;
  `,
  // 4: machines: what to do with each machine (ISO, profile, loader, Secure Boot) and where its install stands.
  `
  CREATE TABLE machines (
    mac          TEXT PRIMARY KEY,
    hostname     TEXT,
    iso_id       TEXT REFERENCES isos (id) ON DELETE SET NULL,
    profile      TEXT,
    chain        TEXT NOT NULL DEFAULT 'auto' CHECK (chain IN ('auto', 'ipxe', 'pxelinux', 'grub')),
    secure_boot  TEXT NOT NULL DEFAULT 'unknown' CHECK (secure_boot IN ('unknown', 'on', 'off')),
    state        TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'armed', 'installing', 'installed')),
    firmware     TEXT,
    arch         TEXT,
    uuid         TEXT,
    ip           TEXT,
    token        TEXT,
    first_seen   INTEGER,
    last_seen    INTEGER,
    installed_at INTEGER,
    updated_at   INTEGER NOT NULL
  ) STRICT;
  `,
  // 5: answer-file profiles, versioned: every save is a new row in answer_profile_versions (history is never
  // rewritten; a revert is a new version with an old body). Bodies are validated JSON with passwords as hashes only.
  // machines.profile names a profile id (no foreign key: migration 4 is shipped); removal checks it in code.
  `
  CREATE TABLE answer_profiles (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    family_hint     TEXT,
    current_version INTEGER NOT NULL CHECK (current_version >= 1),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE answer_profile_versions (
    profile_id TEXT NOT NULL REFERENCES answer_profiles (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL CHECK (version >= 1),
    body       TEXT NOT NULL CHECK (json_valid(body)),
    note       TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (profile_id, version)
  ) STRICT;
  CREATE INDEX machines_profile ON machines (profile);
  `,
  // 6: the fleet plan (issue 11): machines to install, named by MAC and/or SMBIOS serial, UUID or asset tag. A row
  // without a MAC is bound to one (mac, bound_by, bound_at) when the machine first network-boots; its install
  // state lives in machines (by MAC). Host names are unique without regard to case, fixed addresses per row.
  `
  CREATE TABLE plan (
    id         INTEGER PRIMARY KEY,
    mac        TEXT UNIQUE,
    serial     TEXT UNIQUE,
    uuid       TEXT UNIQUE,
    asset      TEXT UNIQUE,
    hostname   TEXT UNIQUE COLLATE NOCASE,
    ip         TEXT UNIQUE,
    iso_id     TEXT REFERENCES isos (id) ON DELETE SET NULL,
    profile    TEXT,
    bmc        TEXT,
    notes      TEXT,
    vars       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(vars)),
    bound_by   TEXT CHECK (bound_by IN ('uuid', 'serial', 'asset')),
    bound_at   INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (mac IS NOT NULL OR serial IS NOT NULL OR uuid IS NOT NULL OR asset IS NOT NULL)
  ) STRICT;
  CREATE INDEX plan_profile ON plan (profile);
  `,
];
