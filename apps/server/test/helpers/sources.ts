import type { SourceInfo } from '@tube/ladder';

/** A probed source as the planner sees it: by default 30 s of 720p30 H.264/AAC in MP4; override what matters. */
export function sourceInfo(overrides: Partial<SourceInfo> = {}): SourceInfo {
  return {
    durationSeconds: 30,
    width: 1280,
    height: 720,
    rotation: 0,
    fps: 30,
    hasAudio: true,
    videoCodec: 'h264',
    audioCodec: 'aac',
    container: 'mov,mp4,m4a,3gp,3g2,mj2',
    bitRate: 4_000_000,
    sizeBytes: 15_000_000,
    videoStreamIndex: 0,
    audioStreamIndex: 1,
    ...overrides,
  };
}
