import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Null when this process may create network namespaces; otherwise the reason a test must skip. */
export function netnsSkipReason(): string | null {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'not root: network namespaces and taps need root (CI runs as root)';
  if (spawnSync('ip', ['-V']).status !== 0) return 'iproute2 (`ip`) is not installed: run build/scripts/install-test-tools.sh';
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun is missing: taps cannot be created';
  return null;
}

/**
 * Prints the reason once so a skipped ring is never silent. In CI as root (CI=true) a ring marked required
 * must not skip: a missing tool there is a broken install step, so this throws instead.
 */
export function announceSkip(ring: string, reason: string | null, opts: { requiredInCi?: boolean } = {}): boolean {
  if (!reason) return false;
  if (opts.requiredInCi && process.env.CI === 'true' && process.getuid?.() === 0) {
    throw new Error(`${ring} must run in CI but cannot: ${reason}`);
  }
  process.stdout.write(`[skip] ${ring}: ${reason}\n`);
  return true;
}
