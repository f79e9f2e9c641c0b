import { defineConfig } from 'vitest/config';

// Rings (CONVENTIONS §10): unit (pure, beside the code), integration (real sockets, files, the CLI),
// e2e (network namespaces + QEMU, needs root), ui (chromium via playwright-core).
export default defineConfig({
  test: {
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    projects: [
      { test: { name: 'unit', include: ['shared/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}'] } },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], testTimeout: 30_000 } },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 240_000,
          hookTimeout: 60_000,
          // QEMU under TCG wants both cores; run the VM files one at a time.
          fileParallelism: false,
        },
      },
      { test: { name: 'ui', include: ['test/ui/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
    ],
  },
});
