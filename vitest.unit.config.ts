import { defineConfig } from 'vitest/config';

/**
 * The unit tier (`npm run test:unit`, seconds): pure tests only — no PostgreSQL, Redis, ffmpeg, browser or network,
 * so no global setup starts any of them. A file belongs here when it imports no test helper that starts a service
 * (apps/server/test/helpers/app.ts, database.ts, media.ts, …); `npm test` still runs these with everything else.
 */
export const UNIT_TESTS = [
  'packages/ladder/test/captions.test.ts',
  'packages/ladder/test/chunks.test.ts',
  'packages/ladder/test/download.test.ts',
  'packages/ladder/test/early-start.test.ts',
  'packages/ladder/test/fmp4.test.ts',
  'packages/ladder/test/ladder.test.ts',
  'packages/ladder/test/matroska.test.ts',
  'packages/ladder/test/probe.test.ts',
  'packages/ladder/test/thumbnails.test.ts',
  'packages/ladder/test/transcode.test.ts',
  'apps/server/test/auth/tokens.test.ts',
  'apps/server/test/cli/format.test.ts',
  'apps/server/test/infra/keyset.test.ts',
  'apps/server/test/infra/wakeups.test.ts',
  'apps/server/test/platform/config.test.ts',
  'apps/server/test/transcoding/chunked-plan.test.ts',
  'apps/server/test/transcoding/cpu-priority.test.ts',
  'apps/server/test/transcoding/early-start-plan.test.ts',
  'apps/web/test/auth-client.test.ts',
  'apps/web/test/captions-logic.test.ts',
  'apps/web/test/chapters.test.ts',
  'apps/web/test/community-logic.test.ts',
  'apps/web/test/creator-format.test.ts',
  'apps/web/test/creator-search-filters.test.ts',
  'apps/web/test/format.test.ts',
  'apps/web/test/local-resume.test.ts',
  'apps/web/test/playback-logic.test.ts',
  'apps/web/test/processing-start.test.ts',
  'apps/web/test/player-logic.test.ts',
  'apps/web/test/sharing.test.ts',
  'apps/web/test/start-level.test.ts',
  'apps/web/test/storyboard.test.ts',
  'apps/web/test/theme.test.ts',
  'apps/web/test/touch-gestures.test.ts',
  'apps/web/test/upload-state.test.ts',
  'apps/web/test/validation.test.ts',
  'apps/web/test/watched-ranges.test.ts',
];

export default defineConfig({
  test: {
    include: UNIT_TESTS,
    testTimeout: 10_000,
  },
});
