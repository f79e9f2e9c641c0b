import { defineConfig } from 'vitest/config';

// `npm run test:reliability` (issue 9): root, network namespaces, real clients; one line per test with its
// figure. RACKBOOT_RELIABILITY_SCALE (default 1, the counts the issue asks) scales every count and duration
// down for CI's bounded run. Files run one at a time: they load the machine on purpose and time things.
export default defineConfig({
  test: {
    name: 'reliability',
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/reliability/**/*.test.ts'],
    reporters: ['./test/reliability/figures-reporter.ts', './test/helpers/summary-reporter.ts'],
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 120_000,
  },
});
