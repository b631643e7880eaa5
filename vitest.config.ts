import { existsSync } from 'node:fs';
import { configDefaults, defineConfig } from 'vitest/config';

/** Browser tests are the files named `*e2e.test.ts`; they need Debian's Chromium (or TEST_CHROMIUM_PATH). */
const BROWSER_TESTS = '**/*e2e.test.ts';
const chromium = process.env.TEST_CHROMIUM_PATH || '/usr/bin/chromium';
const haveBrowser = existsSync(chromium);
if (!haveBrowser && process.env.TEST_REQUIRE_ALL !== '1') {
  console.warn(`\n[test setup] SKIPPING the browser tests (${BROWSER_TESTS}): ${chromium} does not exist; install Debian's chromium.\n`);
}

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(haveBrowser ? [] : [BROWSER_TESTS])],
    // Chooses PostgreSQL, Redis, ffmpeg and Chromium for the run (starting what is missing); see the file.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: ffmpeg-heavy files would starve each other if all ran at once.
    maxWorkers: 2,
    pool: 'forks',
  },
});
