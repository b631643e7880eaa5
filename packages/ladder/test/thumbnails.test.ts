import { describe, expect, it } from 'vitest';
import { buildPosterArgs, buildStoryboardArgs, planStoryboard, posterTimeSeconds, storyboardVtt, type SourceInfo } from '../src/index.ts';

function source(overrides: Partial<SourceInfo> = {}): SourceInfo {
  return {
    durationSeconds: 25,
    width: 1920,
    height: 1080,
    rotation: 0,
    fps: 30,
    hasAudio: true,
    videoCodec: 'h264',
    audioCodec: 'aac',
    container: 'mov,mp4,m4a,3gp,3g2,mj2',
    bitRate: null,
    sizeBytes: null,
    videoStreamIndex: 0,
    audioStreamIndex: 1,
    ...overrides,
  };
}

const grid = { intervalSeconds: 2, columns: 10, rows: 10, tileWidth: 160 };

describe('posterTimeSeconds', () => {
  it('picks 10% into the video, inside it', () => {
    expect(posterTimeSeconds(600)).toBe(60);
    expect(posterTimeSeconds(3.333)).toBe(0.333);
    expect(posterTimeSeconds(0.05)).toBe(0);
    expect(posterTimeSeconds(0)).toBe(0);
    expect(posterTimeSeconds(Number.NaN)).toBe(0);
  });
});

describe('buildPosterArgs', () => {
  it('grabs one frame after an input seek and scales by display aspect', () => {
    expect(buildPosterArgs({ input: '/in.mp4', output: '/out/poster.jpg', atSeconds: 12.3456, width: 1280, videoStreamIndex: 1 })).toEqual([
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-y',
      '-ss',
      '12.346',
      '-protocol_whitelist',
      'file',
      '-i',
      '/in.mp4',
      '-map',
      '0:1',
      '-frames:v',
      '1',
      '-vf',
      'scale=1280:trunc(ow/dar/2)*2,setsar=1',
      '-q:v',
      '3',
      '-update',
      '1',
      '/out/poster.jpg',
    ]);
  });

  it('falls back to the first video stream and never seeks before the start', () => {
    const args = buildPosterArgs({ input: 'in', output: 'p.jpg', atSeconds: -1, width: 640 });
    expect(args.slice(args.indexOf('-ss'), args.indexOf('-ss') + 2)).toEqual(['-ss', '0']);
    expect(args.slice(args.indexOf('-map'), args.indexOf('-map') + 2)).toEqual(['-map', '0:v:0']);
  });
});

describe('planStoryboard', () => {
  it('keeps the wanted interval when the tiles fit, shrinking the grid to what is used', () => {
    expect(planStoryboard(source(), grid)).toEqual({
      interval: 2,
      count: 12,
      columns: 10,
      rows: 2,
      tileWidth: 160,
      tileHeight: 90,
      durationSeconds: 25,
    });
  });

  it('grows the interval to whole seconds so a long video fits on one sheet', () => {
    expect(planStoryboard(source({ durationSeconds: 3600 }), grid)).toMatchObject({ interval: 36, count: 100, columns: 10, rows: 10 });
    expect(planStoryboard(source({ durationSeconds: 3601 }), grid)).toMatchObject({ interval: 37, count: 97, columns: 10, rows: 10 });
  });

  it('makes one tile the length of a video shorter than an interval', () => {
    expect(planStoryboard(source({ durationSeconds: 0.5 }), grid)).toMatchObject({ interval: 0.5, count: 1, columns: 1, rows: 1 });
  });

  it('claims only tiles ffmpeg is sure to produce', () => {
    expect(planStoryboard(source({ durationSeconds: 3 }), grid)).toMatchObject({ interval: 2, count: 1 });
  });

  it('sizes tiles of portrait and odd-shaped video to even heights', () => {
    expect(planStoryboard(source({ width: 1080, height: 1920 }), { ...grid, tileWidth: 90 }).tileHeight).toBe(160);
    expect(planStoryboard(source({ width: 426, height: 240 }), grid).tileHeight).toBe(90);
  });
});

describe('buildStoryboardArgs', () => {
  it('samples one frame per interval into a single tiled JPEG', () => {
    expect(buildStoryboardArgs({ input: '/in.mp4', output: '/out/storyboard.jpg', info: source({ videoStreamIndex: 2 }), ...grid })).toEqual([
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-y',
      '-protocol_whitelist',
      'file',
      '-i',
      '/in.mp4',
      '-map',
      '0:2',
      '-vf',
      'fps=1/2,scale=160:90,setsar=1,tile=10x2',
      '-frames:v',
      '1',
      '-q:v',
      '4',
      '-update',
      '1',
      '/out/storyboard.jpg',
    ]);
  });
});

describe('storyboardVtt', () => {
  it('maps each interval to its tile, the last one running to the end', () => {
    const vtt = storyboardVtt(planStoryboard(source(), grid), 'storyboard.jpg');
    const cues = vtt.split('\n\n');
    expect(cues[0]).toBe('WEBVTT');
    expect(cues.slice(1, 3)).toEqual([
      '00:00:00.000 --> 00:00:02.000\nstoryboard.jpg#xywh=0,0,160,90',
      '00:00:02.000 --> 00:00:04.000\nstoryboard.jpg#xywh=160,0,160,90',
    ]);
    expect(cues.slice(10)).toEqual([
      '00:00:18.000 --> 00:00:20.000\nstoryboard.jpg#xywh=1440,0,160,90',
      '00:00:20.000 --> 00:00:22.000\nstoryboard.jpg#xywh=0,90,160,90',
      '00:00:22.000 --> 00:00:25.000\nstoryboard.jpg#xywh=160,90,160,90\n',
    ]);
  });

  it('writes hours for long videos', () => {
    const vtt = storyboardVtt(planStoryboard(source({ durationSeconds: 3600 }), grid), '/v/abc/sb.jpg');
    expect(vtt.trimEnd().split('\n\n').at(-1)).toBe('00:59:24.000 --> 01:00:00.000\n/v/abc/sb.jpg#xywh=1440,810,160,90');
  });
});
