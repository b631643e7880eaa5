import { describe, expect, it } from 'vitest';
import { localResumePosition, saveLocalPosition } from '../src/lib/local-resume.ts';

function memoryStorage() {
  const data = new Map<string, string>();
  return { getItem: (key: string) => data.get(key) ?? null, setItem: (key: string, value: string) => void data.set(key, value) };
}

describe('local resume positions (signed-out viewers)', () => {
  it('remembers where a video was left and resumes there', () => {
    const storage = memoryStorage();
    saveLocalPosition('v1', 42.5, storage);
    expect(localResumePosition('v1', 120, storage)).toBe(42.5);
    expect(localResumePosition('v2', 120, storage)).toBeNull();
  });

  it('starts again from the beginning when the video was (nearly) finished or barely started', () => {
    const storage = memoryStorage();
    saveLocalPosition('done', 118, storage);
    saveLocalPosition('barely', 0.5, storage);
    expect(localResumePosition('done', 120, storage)).toBeNull();
    expect(localResumePosition('barely', 120, storage)).toBeNull();
  });

  it('keeps only the 200 most recent videos', () => {
    const storage = memoryStorage();
    for (let i = 0; i < 205; i++) saveLocalPosition(`v${i}`, 10, storage, 1_000 + i);
    expect(localResumePosition('v0', null, storage)).toBeNull();
    expect(localResumePosition('v4', null, storage)).toBeNull();
    expect(localResumePosition('v5', null, storage)).toBe(10);
    expect(localResumePosition('v204', null, storage)).toBe(10);
  });

  it('survives garbage in storage', () => {
    const storage = memoryStorage();
    storage.setItem('tube:resume', '{not json');
    expect(localResumePosition('v1', 60, storage)).toBeNull();
    saveLocalPosition('v1', 30, storage);
    expect(localResumePosition('v1', 60, storage)).toBe(30);
  });
});
