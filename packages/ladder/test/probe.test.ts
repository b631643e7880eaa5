import { describe, expect, it } from 'vitest';
import {
  allPacketsArgs,
  checkSourceLimits,
  describeDuration,
  InvalidSourceError,
  lastPacketsArgs,
  packetListingArgs,
  parseProbe,
  probeArgs,
  type SourceInfo,
} from '../src/index.ts';

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

/** Trimmed from `ffprobe -show_format -show_streams` of a VP8/Opus WebM written with `-live 1` (no Duration). */
function liveWebmProbe() {
  return {
    streams: [
      {
        index: 0,
        codec_name: 'vp8',
        codec_type: 'video',
        width: 1280,
        height: 720,
        r_frame_rate: '30/1',
        avg_frame_rate: '30/1',
        tags: { ENCODER: 'Lavc59.37.100 libvpx' },
      },
      {
        index: 1,
        codec_name: 'opus',
        codec_type: 'audio',
        sample_rate: '48000',
        r_frame_rate: '0/0',
        avg_frame_rate: '0/0',
        tags: { ENCODER: 'Lavc59.37.100 libopus' },
      },
    ],
    format: { format_name: 'matroska,webm', start_time: '-0.007000', duration: 'N/A', size: '203826830', tags: { ENCODER: 'Lavf59.27.100' } },
  };
}

describe('the packet reads for a file without a declared duration', () => {
  it('seeks past the end (to the last keyframe) and lists the packets from there, demuxing only', () => {
    expect(lastPacketsArgs('/data/uploads/abc')).toEqual([
      '-v',
      'error',
      '-protocol_whitelist',
      'file',
      '-read_intervals',
      '999999999%',
      '-show_entries',
      'packet=stream_index,pts_time,duration_time',
      '-of',
      'csv=p=0',
      '/data/uploads/abc',
    ]);
  });

  it('lists every packet when seeking is not possible', () => {
    expect(allPacketsArgs('/data/uploads/abc')).toEqual([
      '-v',
      'error',
      '-protocol_whitelist',
      'file',
      '-show_entries',
      'packet=stream_index,pts_time,duration_time',
      '-of',
      'csv=p=0',
      '/data/uploads/abc',
    ]);
  });
});

describe('packetListingArgs', () => {
  const path = '/data/uploads/abc';

  it('lists nothing for a file with a duration and a frame rate, the tail for a live WebM', () => {
    expect(packetListingArgs(landscapeProbe(), path)).toBeNull();
    expect(packetListingArgs(liveWebmProbe(), path)).toEqual(lastPacketsArgs(path));
  });

  it('lists every packet for a browser recording without an average frame rate, even remuxed with a Duration', () => {
    const probe = liveWebmProbe();
    const chromeVideo = { ...probe.streams[0], r_frame_rate: '1000/1', avg_frame_rate: '0/0' };
    expect(packetListingArgs({ ...probe, streams: [chromeVideo, probe.streams[1]] }, path)).toEqual(allPacketsArgs(path));
    const remuxed = { format: { ...probe.format, duration: '5.012000' }, streams: [chromeVideo] };
    expect(packetListingArgs(remuxed, path)).toEqual(allPacketsArgs(path));
    const packets = Array.from({ length: 125 }, (_, frame) => `0,${(frame * 0.04).toFixed(6)},0.001000`).join('\n');
    expect(parseProbe(remuxed, packets)).toMatchObject({ durationSeconds: 5.012, fps: 25 });
  });

  it('lists nothing for probes parseProbe rejects for another reason, so they keep that reason', () => {
    expect(packetListingArgs({}, path)).toBeNull();
    expect(packetListingArgs({ format: liveWebmProbe().format, streams: [liveWebmProbe().streams[1]] }, path)).toBeNull();
  });
});

describe('parseProbe', () => {
  it('measures a live WebM by its last packets: the latest end of the video or audio, as a muxer writes Duration', () => {
    // Real tail of `lastPacketsArgs` on a 10-minute `-live 1` WebM (the Opus lines end with an empty side-data field).
    const packets = ['0,598.072000,0.033000', '1,598.072000,0.020000', '0,600.039000,0.033000', '1,600.032000,0.020000', '1,600.052000,0.020000,', ''].join(
      '\n',
    );
    const info = parseProbe(liveWebmProbe(), packets);
    expect(info.durationSeconds).toBe(600.072);
    expect(info).toMatchObject({ width: 1280, height: 720, fps: 30, videoCodec: 'vp8', audioCodec: 'opus', videoStreamIndex: 0, audioStreamIndex: 1 });
  });

  it('gives a video packet without a duration one frame, ignores other streams and measures from a late start', () => {
    const probe = liveWebmProbe();
    const late = {
      ...probe,
      format: { ...probe.format, start_time: '10.000000' },
      streams: [...probe.streams, { index: 2, codec_type: 'subtitle', codec_name: 'webvtt' }],
    };
    const packets = ['0,69.950000,N/A', '1,69.900000,N/A', '2,95.000000,1.000000'].join('\n');
    // 69.95 + 1/30 (the video's frame) − 10
    expect(parseProbe(late, packets).durationSeconds).toBe(59.983333);
  });

  it('still fails with the reason when the packets give no time (no packets, or garbage)', () => {
    expect(reasonOf(() => parseProbe(liveWebmProbe(), ''))).toBe("The file's duration could not be determined");
    expect(reasonOf(() => parseProbe(liveWebmProbe(), 'not,a,packet\n'))).toBe("The file's duration could not be determined");
    expect(reasonOf(() => parseProbe(liveWebmProbe()))).toBe("The file's duration could not be determined");
  });

  it('measures the frame rate of a browser recording (avg_frame_rate 0/0, r_frame_rate its 1 ms time base) from the video packets', () => {
    const probe = liveWebmProbe();
    const chrome = { ...probe, streams: [{ ...probe.streams[0], r_frame_rate: '1000/1', avg_frame_rate: '0/0' }, probe.streams[1]] };
    // As Chromium's MediaRecorder writes them: millisecond timestamps and 1 ms "durations" on the video.
    const video = Array.from({ length: 42 }, (_, frame) => `0,${(3.645 + Math.round((frame * 1000) / 30) / 1000).toFixed(6)},0.001000`);
    const audio = Array.from({ length: 70 }, (_, packet) => `1,${(3.632 + packet * 0.02).toFixed(6)},0.020000`);
    const info = parseProbe(chrome, [...video, ...audio].join('\n'));
    expect(info.fps).toBe(30);
    expect(info.durationSeconds).toBe(5.032);
  });

  it('prefers the declared duration over packets', () => {
    expect(parseProbe(landscapeProbe(), '0,99.000000,0.033000').durationSeconds).toBe(12.512);
  });

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
    const info = parseProbe(withVideo({ side_data_list: [{ side_data_type: 'Display Matrix', displaymatrix: '…', rotation: -90 }] }));
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
    ['audio only', { format: landscapeProbe().format, streams: [landscapeProbe().streams[1]] }, 'The file has no video stream'],
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
    [
      'a video stream no decoder knows (ffprobe gives no codec_name)',
      { ...landscapeProbe(), streams: [{ ...landscapeProbe().streams[0], codec_name: undefined }, landscapeProbe().streams[1]] },
      'The video is encoded in a format Tube cannot decode; export it as H.264 (MP4) and upload it again',
    ],
    [
      'a video stream whose codec is "unknown"',
      withVideo({ codec_name: 'unknown' }),
      'The video is encoded in a format Tube cannot decode; export it as H.264 (MP4) and upload it again',
    ],
  ])('rejects %s with a readable reason', (_case, json, reason) => {
    expect(reasonOf(() => parseProbe(json))).toBe(reason);
  });

  it('drops an audio track no decoder knows instead of failing the video', () => {
    const probe = landscapeProbe();
    const info = parseProbe({ ...probe, streams: [probe.streams[0], { ...probe.streams[1], codec_name: 'none' }] });
    expect(info.hasAudio).toBe(false);
    expect(info.audioStreamIndex).toBeNull();
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
