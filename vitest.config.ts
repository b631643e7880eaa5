import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: ffmpeg-heavy files would starve each other if all ran at once.
    maxWorkers: 2,
    pool: 'forks',
  },
});
