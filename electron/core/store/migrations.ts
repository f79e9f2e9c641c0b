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
];
