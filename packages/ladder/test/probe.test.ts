import { describe, expect, it } from 'vitest';
import { checkSourceLimits, describeDuration, InvalidSourceError, parseProbe, probeArgs, type SourceInfo } from '../src/index.ts';

/** Trimmed from `ffprobe -show_format -show_streams` of a 1080p phone recording. */
function landscapeProbe() {
  return {
    streams: [
      {
        index: 0,
        codec_name: 'h264',
        codec_type: 'video',
        width: 1920,
        height: 1080,
        sample_aspect_ratio: '1:1',
        r_frame_rate: '30/1',
        avg_frame_rate: '30000/1001',
        duration: '12.512000',
        disposition: { default: 1, attached_pic: 0 },
        tags: { language: 'und', handler_name: 'VideoHandler' },
      },
      {
        index: 1,
        codec_name: 'aac',
        codec_type: 'audio',
        sample_rate: '48000',
        channels: 2,
        r_frame_rate: '0/0',
        avg_frame_rate: '0/0',
        duration: '12.480000',
        disposition: { default: 1, attached_pic: 0 },
      },
    ],
    format: {
      filename: 'upload.mp4',
      nb_streams: 2,
      format_name: 'mov,mp4,m4a,3gp,3g2,mj2',
      duration: '12.512000',
      size: '7340032',
      bit_rate: '4693100',
    },
  };
}

function withVideo(overrides: Record<string, unknown>) {
  const probe = landscapeProbe();
  return { ...probe, streams: [{ ...probe.streams[0], ...overrides }, probe.streams[1]] };
}

function reasonOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof InvalidSourceError) return error.reason;
    throw error;
  }
  throw new Error('expected an InvalidSourceError');
}

describe('probeArgs', () => {
  it('asks for JSON format and streams, reading local files only', () => {
    expect(probeArgs('/data/uploads/abc')).toEqual([
      '-v',
      'error',
      '-protocol_whitelist',
      'file',
      '-print_format',
      'json',
      '-show_format',
      '-show_streams',
      '/data/uploads/abc',
    ]);
  });
});

describe('parseProbe', () => {
  it('reads a landscape file with audio', () => {
    expect(parseProbe(landscapeProbe())).toEqual({
      durationSeconds: 12.512,
      width: 1920,
      height: 1080,
      rotation: 0,
      fps: 30000 / 1001,
      hasAudio: true,
      videoCodec: 'h264',
      audioCodec: 'aac',
      container: 'mov,mp4,m4a,3gp,3g2,mj2',
      bitRate: 4693100,
      sizeBytes: 7340032,
      videoStreamIndex: 0,
      audioStreamIndex: 1,
    } satisfies SourceInfo);
  });

  it('swaps dimensions for the rotate tag written by older ffmpeg and phones', () => {
    const info = parseProbe(withVideo({ tags: { rotate: '90' } }));
    expect([info.width, info.height, info.rotation]).toEqual([1080, 1920, 90]);
  });

  it('swaps dimensions for display-matrix side data (counter-clockwise degrees)', () => {
    const info = parseProbe(
      withVideo({ side_data_list: [{ side_data_type: 'Display Matrix', displaymatrix: '…', rotation: -90 }] }),
    );
    expect([info.width, info.height, info.rotation]).toEqual([1080, 1920, 90]);
  });

  it('keeps dimensions for an upside-down video', () => {
    const info = parseProbe(withVideo({ side_data_list: [{ rotation: 180 }] }));
    expect([info.width, info.height, info.rotation]).toEqual([1920, 1080, 180]);
  });

  it('applies the sample aspect ratio of anamorphic video', () => {
    const info = parseProbe(withVideo({ width: 720, height: 480, sample_aspect_ratio: '32:27' }));
    expect([info.width, info.height]).toEqual([853, 480]);
  });

  it('skips cover art and reports a file without audio', () => {
    const probe = landscapeProbe();
    const coverArt = { index: 0, codec_name: 'mjpeg', codec_type: 'video', width: 600, height: 600, disposition: { attached_pic: 1 } };
    const video = { ...probe.streams[0], index: 1 };
    const info = parseProbe({ ...probe, streams: [coverArt, video] });
    expect(info).toMatchObject({ width: 1920, videoStreamIndex: 1, hasAudio: false, audioCodec: null, audioStreamIndex: null });
  });

  it('falls back to stream duration, then the Matroska DURATION tag', () => {
    const probe = landscapeProbe();
    const format = { ...probe.format, duration: undefined, format_name: 'matroska,webm' };
    expect(parseProbe({ ...probe, format }).durationSeconds).toBe(12.512);
    const video = { ...probe.streams[0], duration: undefined, tags: { DURATION: '00:01:02.500000000' } };
    expect(parseProbe({ format, streams: [video] }).durationSeconds).toBe(62.5);
  });

  it('falls back from a missing average frame rate to r_frame_rate', () => {
    expect(parseProbe(withVideo({ avg_frame_rate: '0/0', r_frame_rate: '25/1' })).fps).toBe(25);
  });

  it('leaves bit rate and size null when ffprobe does not know them', () => {
    const probe = landscapeProbe();
    const info = parseProbe({ ...probe, format: { ...probe.format, bit_rate: 'N/A', size: undefined } });
    expect([info.bitRate, info.sizeBytes]).toEqual([null, null]);
  });

  it.each([
    ['unreadable file (ffprobe printed {})', {}, 'The file is not a video format we can read; it may be damaged or incomplete'],
    ['not JSON at all', 'garbage', 'The file is not a video format we can read; it may be damaged or incomplete'],
    [
      'audio only',
      { format: landscapeProbe().format, streams: [landscapeProbe().streams[1]] },
      'The file has no video stream',
    ],
    [
      'an MP3 with cover art',
      {
        format: { format_name: 'mp3', duration: '215.1' },
        streams: [
          { index: 0, codec_type: 'audio', codec_name: 'mp3' },
          { index: 1, codec_type: 'video', codec_name: 'mjpeg', width: 500, height: 500, disposition: { attached_pic: 1 } },
        ],
      },
      'The file only contains a still cover image, not a video',
    ],
    [
      'zero duration',
      { format: { ...landscapeProbe().format, duration: '0.000000' }, streams: [{ ...landscapeProbe().streams[0], duration: 'N/A' }] },
      "The file's duration could not be determined",
    ],
    ['unknown dimensions', withVideo({ width: 0, height: 0 }), "The video's width and height could not be determined"],
    [
      'a JPEG',
      { format: { format_name: 'jpeg_pipe' }, streams: [{ index: 0, codec_type: 'video', codec_name: 'mjpeg', width: 640, height: 480 }] },
      'The file is a still image, not a video',
    ],
    [
      'an HLS playlist',
      { format: { format_name: 'hls', duration: '10' }, streams: [landscapeProbe().streams[0]] },
      'The file is a playlist that refers to other files, not a video',
    ],
  ])('rejects %s with a readable reason', (_case, json, reason) => {
    expect(reasonOf(() => parseProbe(json))).toBe(reason);
  });

  it('throws an Error subclass whose message is the reason', () => {
    const error = new InvalidSourceError('The file has no video stream');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InvalidSourceError');
    expect(error.message).toBe(error.reason);
  });
});

describe('checkSourceLimits', () => {
  const limits = { maxWidth: 4096, maxHeight: 4096, maxDurationSeconds: 12 * 3600 };
  const info = parseProbe(landscapeProbe());

  it('accepts a file within limits', () => {
    expect(() => checkSourceLimits(info, limits)).not.toThrow();
  });

  it('rejects an oversized frame', () => {
    expect(reasonOf(() => checkSourceLimits({ ...info, width: 8000, height: 6000 }, limits))).toBe(
      'The video is 8000×6000; the largest accepted size is 4096×4096',
    );
  });

  it('applies a landscape limit to portrait videos turned sideways', () => {
    const uhd = { ...limits, maxWidth: 3840, maxHeight: 2160 };
    expect(() => checkSourceLimits({ ...info, width: 2160, height: 3840 }, uhd)).not.toThrow();
    expect(reasonOf(() => checkSourceLimits({ ...info, width: 2400, height: 3840 }, uhd))).toBe(
      'The video is 2400×3840; the largest accepted size is 3840×2160',
    );
  });

  it('rejects an overlong video', () => {
    expect(reasonOf(() => checkSourceLimits({ ...info, durationSeconds: 13 * 3600 + 301 }, limits))).toBe(
      'The video lasts 13 hours 5 minutes 1 second; the longest accepted is 12 hours',
    );
  });
});

describe('describeDuration', () => {
  it.each([
    [0, '0 seconds'],
    [1, '1 second'],
    [59.6, '1 minute'],
    [3725, '1 hour 2 minutes 5 seconds'],
  ])('%s s → %s', (seconds, text) => {
    expect(describeDuration(seconds)).toBe(text);
  });
});
