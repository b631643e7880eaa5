import { describe, expect, it } from 'vitest';
import { formatRungProgress } from '../../src/cli/format.ts';

describe('npx tube upload: progress per rung', () => {
  it('shows each rung’s share and its ETA once there is one', () => {
    expect(formatRungProgress({ name: '720p', progress: 0.6, etaSeconds: 39.2 })).toBe('720p 60% ~40 s');
    expect(formatRungProgress({ name: '1080p', progress: 0.05, etaSeconds: 150 })).toBe('1080p 5% ~3 min');
    expect(formatRungProgress({ name: '144p', progress: 0, etaSeconds: null })).toBe('144p 0%');
    expect(formatRungProgress({ name: '240p', progress: 1, etaSeconds: 0 })).toBe('240p 100%');
  });
});
