import { describe, expect, it } from 'vitest';
import {
  audioSecondsCovered,
  allTaskNames,
  buildChunkedPlan,
  chunksToSplit,
  estimateRungEtas,
  estimateSecondsLeft,
  measuredSpeedFactor,
  SPEED_SAMPLES_NEEDED,
  WORKER_SPEED,
  ordinalOfTask,
  publishState,
  scheduleTasks,
  scheduleUploader,
  tiersOfChunk,
  videoTaskOrder,
  videoTaskName,
  type ChunkedPlan,
  type TierName,
  type TaskSpec,
  type VideoTaskResult,
  type FinishedTaskSample,
} from '../../src/transcoding/chunked/chunked-plan.ts';
import { publishedFiles } from '../../src/transcoding/chunked/chunked.service.ts';
import { liveSourceCaches } from '../../src/transcoding/chunked/chunked-scratch.ts';
import { sourceInfo } from '../helpers/sources.ts';

const source = sourceInfo;

const OPTIONS = { maxHeight: 1080, segmentSeconds: 4, chunkSeconds: 12, splitSeconds: 36 };

/** What a chunk task of `tier` would have stored: 3 segments of 4 s per rung (timescale 1000). */
function chunkResult(plan: ReturnType<typeof buildChunkedPlan>, chunkIndex: number, tier: TierName): VideoTaskResult {
  const chunk = plan.chunks[chunkIndex]!;
  const rungIndexes = tiersOfChunk(plan, chunkIndex).find((candidate) => candidate.name === tier)!.rungIndexes;
  return {
    streams: rungIndexes.map((stream) => ({
      stream,
      timescale: 1000,
      codecs: 'avc1.64001f',
      sampleDescriptionSha256: 'same',
      segments: Array.from({ length: chunk.segmentCount }, (_, index) => ({
        number: chunk.firstSegmentNumber + index,
        startTicks: (chunk.startSeconds + index * 4) * 1000,
        durationTicks: Math.min(4, chunk.endSeconds - chunk.startSeconds - index * 4) * 1000,
        bytes: 100_000 * (stream + 1),
      })),
    })),
  };
}

const audioResult = {
  stream: { stream: 5, timescale: 48000, codecs: 'mp4a.40.2', segments: [{ number: 1, startTicks: 0, durationTicks: 30 * 48000, bytes: 480_000 }] },
};

describe('buildChunkedPlan', () => {
  it('splits the ladder into a cheap tier (up to 480p) and an expensive one, the first chunk one segment, doubling', () => {
    const plan = buildChunkedPlan(source(), OPTIONS);
    expect(plan.rungs.map((rung) => rung.name)).toEqual(['144p', '240p', '360p', '480p', '720p']);
    expect(plan.tiers).toEqual([
      { name: 'low', rungIndexes: [0, 1, 2, 3] },
      { name: 'high', rungIndexes: [4] },
    ]);
    expect(plan.chunks.map((chunk) => [chunk.startSeconds, chunk.endSeconds])).toEqual([
      [0, 4],
      [4, 12],
      [12, 24],
      [24, 30],
    ]);
  });

  it('splits the chunks of the lead window into two tasks, and encodes every later chunk in one task for the whole ladder', () => {
    const plan = buildChunkedPlan(source({ durationSeconds: 60 }), OPTIONS);
    // Chunks start at 0, 4, 12, 24 (< 36 s: split), 36 and 48 (one task each).
    expect(plan.splitChunks).toBe(4);
    expect(allTaskNames(plan)).toEqual([
      'audio',
      'video:0:low',
      'video:0:high',
      'video:1:low',
      'video:1:high',
      'video:2:low',
      'video:2:high',
      'video:3:low',
      'video:3:high',
      'video:4:all',
      'video:5:all',
      'thumbnails',
    ]);
    expect(tiersOfChunk(plan, 4)).toEqual([{ name: 'all', rungIndexes: [0, 1, 2, 3, 4] }]);
    // No window: only chunk 0 is split (its cheap tier alone makes the video playable).
    expect(buildChunkedPlan(source({ durationSeconds: 60 }), { ...OPTIONS, splitSeconds: 0 }).splitChunks).toBe(1);
  });

  it('has a single tier for a small source, and then one task per chunk whatever the window', () => {
    const plan = buildChunkedPlan(source({ width: 640, height: 360, durationSeconds: 60 }), OPTIONS);
    expect(plan.tiers.map((tier) => tier.name)).toEqual(['low']);
    expect(allTaskNames(plan).filter((task) => task.startsWith('video:'))).toEqual(plan.chunks.map((chunk) => `video:${chunk.index}:low`));
  });

  it('reads a plan written before the split window as split everywhere', () => {
    const { splitChunks: _, ...old } = buildChunkedPlan(source({ durationSeconds: 60 }), OPTIONS);
    expect(allTaskNames(old).filter((task) => task.endsWith(':all'))).toEqual([]);
    expect(allTaskNames(old).filter((task) => task.endsWith(':high'))).toHaveLength(old.chunks.length);
  });
});

/**
 * One worker replaying a schedule in priority order at the speeds measured on the 2-core machine
 * (docs/pipeline.md): per second of video, the cheap tier of a 1080p source 0.3 wall-s, the expensive tier
 * 0.72, the whole ladder in one task 0.87; 1 s per task on top; the viewer's first frame 1 s after `playable`, a
 * finished chunk visible to the player 1 s after its task. Returns the seconds of video where the viewer, playing
 * from the start in real time, would catch up with the start rungs.
 */
function stallsWithOneWorker(plan: ChunkedPlan, tasks: readonly TaskSpec[], thumbnailsSeconds = 0.15 * plan.info.durationSeconds): number[] {
  // Wall seconds per second of a 1080p30 source, measured on the quiet 2-core machine (BENCHMARKS.md).
  const perSecond: Record<TierName, number> = { low: 0.3, high: 0.91, all: 1.13 };
  const seconds = (index: number) => plan.chunks[index]!.endSeconds - plan.chunks[index]!.startSeconds;
  const startTier = (index: number) => tiersOfChunk(plan, index)[0]!.name;
  let clock = 0;
  const startRungsDoneAt = new Map<number, number>();
  for (const task of [...tasks].sort((a, b) => b.priority - a.priority)) {
    // The audio has a worker slot of its own (its own queue), beside the video tasks.
    if (task.kind === 'audio') continue;
    if (task.kind === 'thumbnails') clock += 1 + thumbnailsSeconds;
    else clock += 1 + perSecond[task.tier!] * seconds(task.chunkIndex);
    if (task.kind === 'video' && task.tier === startTier(task.chunkIndex)) startRungsDoneAt.set(task.chunkIndex, clock);
  }
  const viewerStarts = Math.max(startRungsDoneAt.get(0)!, clock === 0 ? 0 : 0) + 1;
  return plan.chunks.flatMap((chunk) => (startRungsDoneAt.get(chunk.index)! + 1 > viewerStarts + chunk.startSeconds ? [chunk.startSeconds] : []));
}

describe('scheduleTasks', () => {
  const hd = (durationSeconds: number) => buildChunkedPlan(source({ durationSeconds, width: 1920, height: 1080, bitRate: 12_000_000 }), OPTIONS);
  const byPriority = (tasks: TaskSpec[]) => [...tasks].sort((a, b) => b.priority - a.priority).map((task) => task.task);

  it('runs the first cheap chunk, audio, the other cheap chunks with the expensive tier slipped in where the lead allows, the rest after', () => {
    // The whole 1080p ladder is slower than real time on one modelled worker: after the window, chunk 4's cheap
    // tier still runs ahead (`chunksToSplit`), and the lead then carries chunk 5 as one task for every rung.
    expect(hd(60).alsoSplit).toEqual([4]);
    expect(byPriority(scheduleTasks(hd(60)))).toEqual([
      'video:0:low',
      'audio',
      'video:1:low',
      'video:2:low',
      'video:3:low',
      'video:0:high',
      'video:4:low',
      'video:5:all',
      'thumbnails',
      'video:1:high',
      'video:2:high',
      'video:3:high',
      'video:4:high',
    ]);
  });

  it('decodes once per chunk after the split window where one worker encodes the whole ladder faster than real time', () => {
    const plan = buildChunkedPlan(source({ durationSeconds: 60, width: 1280, height: 720 }), OPTIONS);
    expect(plan.splitChunks).toBe(plan.chunks.filter((chunk) => chunk.startSeconds < OPTIONS.splitSeconds).length);
    expect(byPriority(scheduleTasks(plan)).filter((task) => task.endsWith(':all'))).toEqual(['video:4:all', 'video:5:all']);
  });

  it('never lets a viewer who starts at the first frame catch up with the start rungs, with one worker at the measured speeds', () => {
    for (const durationSeconds of [8, 20, 60, 600, 3600]) expect(stallsWithOneWorker(hd(durationSeconds), scheduleTasks(hd(durationSeconds)))).toEqual([]);
    // The check can fail: the whole-ladder chunks straight after the first chunk, expensive tier and thumbnails last, stall.
    const plan = hd(60);
    const naive = allTaskNames(plan)
      .filter((task) => !task.endsWith(':high') && task !== 'thumbnails')
      .concat(
        allTaskNames(plan).filter((task) => task.endsWith(':high')),
        ['thumbnails'],
      )
      .map((task, index) => ({ ...scheduleTasks(plan).find((spec) => spec.task === task)!, priority: -index }));
    expect(
      stallsWithOneWorker(
        { ...plan, splitChunks: 1 },
        naive.map((spec) => (spec.task.endsWith(':low') && spec.chunkIndex > 0 ? { ...spec, tier: 'all' as const } : spec)),
      ),
    ).not.toEqual([]);
  });

  it('splits later chunks only where the lead needs it: some of a long 1080p source, none where the whole ladder keeps up', () => {
    const long = hd(600);
    const later = long.chunks.length - long.splitChunks!;
    expect(long.alsoSplit!.length).toBeGreaterThan(later / 6);
    expect(long.alsoSplit!.length).toBeLessThan(later * 0.75);
    expect(chunksToSplit(long)).toEqual(long.alsoSplit);
    expect(buildChunkedPlan(source({ durationSeconds: 600, width: 1280, height: 720 }), OPTIONS).alsoSplit).toBeUndefined();
    // Without them the viewer catches up.
    const { alsoSplit: _, ...unsplit } = long;
    expect(stallsWithOneWorker(unsplit, scheduleTasks(unsplit))).not.toEqual([]);
  });

  it('plans for the speed the fleet has measured: a slow fleet splits more chunks, a fast one fewer, none measured is the fixed model', () => {
    const at = (speedFactor?: number) =>
      buildChunkedPlan(source({ durationSeconds: 600, width: 1920, height: 1080, bitRate: 12_000_000 }), { ...OPTIONS, speedFactor });
    const fixed = at(undefined);
    expect(fixed.speedFactor).toBeUndefined();
    expect(at(1.3).alsoSplit).toEqual(fixed.alsoSplit);
    expect(at(2).speedFactor).toBe(2);
    expect(at(2).alsoSplit!.length).toBeGreaterThan(fixed.alsoSplit!.length);
    expect(at(0.8).alsoSplit?.length ?? 0).toBeLessThan(fixed.alsoSplit!.length);
    // The more cautious plan still never lets the viewer catch up at the speeds measured on the quiet machine.
    expect(stallsWithOneWorker(at(2), scheduleTasks(at(2)))).toEqual([]);
  });

  it('measures the fleet speed from finished start-rung tasks against the modelled work', () => {
    const plan = hd(120);
    const cheap = (index: number, wallSeconds: number): FinishedTaskSample => ({
      plan,
      task: `video:${index}:${tiersOfChunk(plan, index)[0]!.name}`,
      wallSeconds,
    });
    // The reference work of a task: its seconds of video × (decode of the source + encode of its rungs) per second.
    const reference = (index: number) => {
      const chunk = plan.chunks[index]!;
      const rungs = tiersOfChunk(plan, index)[0]!.rungIndexes.map((rung) => plan.rungs[rung]!);
      const perSecond =
        WORKER_SPEED.decodeSecondsPerPixel * 1920 * 1080 * 30 +
        rungs.reduce((sum, rung) => sum + WORKER_SPEED.encodeSecondsPerPixel * rung.width * rung.height * rung.frameRate, 0);
      return (chunk.endSeconds - chunk.startSeconds) * perSecond;
    };
    expect(reference(5)).toBeGreaterThan(2);
    // Twice the reference wall time (plus the fixed overhead) on every task: factor 2.
    const slow = [2, 3, 4, 5, 6, 7].map((index) => cheap(index, WORKER_SPEED.taskOverheadSeconds + 2 * reference(index)));
    expect(measuredSpeedFactor(slow)).toBe(2);
    // Too few samples: no measurement. High-tier and audio tasks do not count; neither do tiny tasks (start-up).
    expect(measuredSpeedFactor(slow.slice(0, SPEED_SAMPLES_NEEDED - 1))).toBeNull();
    expect(measuredSpeedFactor([...slow.slice(0, 4), { plan, task: 'video:1:high', wallSeconds: 50 }, { plan, task: 'audio', wallSeconds: 9 }])).toBeNull();
    const tiny = buildChunkedPlan(source({ durationSeconds: 30, width: 426, height: 240 }), OPTIONS);
    expect(measuredSpeedFactor(tiny.chunks.map((chunk) => ({ plan: tiny, task: `video:${chunk.index}:low`, wallSeconds: 30 })))).toBeNull();
    // Bounded and rounded to 0.05.
    expect(measuredSpeedFactor([2, 3, 4, 5, 6].map((index) => cheap(index, WORKER_SPEED.taskOverheadSeconds + 50 * reference(index))))).toBe(4);
    expect(measuredSpeedFactor([2, 3, 4, 5, 6].map((index) => cheap(index, WORKER_SPEED.taskOverheadSeconds + 1.234 * reference(index))))).toBe(1.25);
  });

  it('grows the expensive tier as one run from chunk 0', () => {
    const plan = hd(600);
    const order = byPriority(scheduleTasks(plan)).filter((task) => task.endsWith(':high'));
    const split = plan.chunks.filter((chunk) => tiersOfChunk(plan, chunk.index).length > 1);
    expect(order).toEqual(split.map((chunk) => `video:${chunk.index}:high`));
  });

  it('puts the first chunk of a new upload ahead of later chunks of an older, longer one', () => {
    const old = scheduleTasks(buildChunkedPlan(source({ durationSeconds: 3 * 3600 }), OPTIONS));
    const fresh = scheduleTasks(buildChunkedPlan(source({ durationSeconds: 20 }), OPTIONS));
    const freshFirst = fresh.find((task) => task.task === 'video:0:low')!.priority;
    // Only the old upload's own first chunk (same index, older) goes before it.
    expect(old.filter((task) => task.kind === 'video' && task.priority > freshFirst).map((task) => task.task)).toEqual([]);
    expect(old.filter((task) => task.kind === 'video' && task.priority === freshFirst).map((task) => task.task)).toEqual(['video:0:low']);
  });

  it('has no audio task for a silent source', () => {
    expect(scheduleTasks(buildChunkedPlan(source({ hasAudio: false, audioStreamIndex: null }), OPTIONS)).map((task) => task.task)).not.toContain('audio');
  });
});

/** Every queued task of several uploaders, in the order the queue serves them (priority, then oldest first). */
function queueOrder(batches: { label: string; tasks: TaskSpec[] }[]): string[] {
  return batches
    .flatMap(({ label, tasks }, batch) => tasks.map((task, index) => ({ name: `${label}/${task.task}`, priority: task.priority, age: batch * 10_000 + index })))
    .sort((a, b) => b.priority - a.priority || a.age - b.age)
    .map((task) => task.name);
}

const fresh = (videoId: string, plan: ChunkedPlan) => ({ videoId, plan, pending: new Set(allTaskNames(plan)) });

describe('scheduleUploader (fairness between uploaders)', () => {
  // 480p sources: one tier; 36 s = chunks of 4, 8, 12 and 12 s, poster and storyboard after the second.
  const small = (durationSeconds: number) =>
    buildChunkedPlan(source({ durationSeconds, width: 854, height: 480, hasAudio: false, audioStreamIndex: null }), OPTIONS);

  it('takes one uploader’s videos in turn, task by task, oldest upload first', () => {
    const tasks = scheduleUploader([fresh('a1', small(36)), fresh('a2', small(36))]);
    const order = queueOrder([
      { label: 'a1', tasks: tasks.get('a1')! },
      { label: 'a2', tasks: tasks.get('a2')! },
    ]);
    expect(order).toEqual([
      'a1/video:0:low',
      'a2/video:0:low',
      'a1/video:1:low',
      'a2/video:1:low',
      'a1/video:2:low',
      'a2/video:2:low',
      'a1/thumbnails',
      'a2/thumbnails',
      'a1/video:3:low',
      'a2/video:3:low',
    ]);
  });

  it('gives one person with three uploads the share of one upload: the other uploader’s tasks interleave with all of theirs', () => {
    // Alice uploads three videos, then Bob one; Bob has nothing queued, so he starts where the queue stands.
    const alice = scheduleUploader([fresh('a1', small(36)), fresh('a2', small(36)), fresh('a3', small(36))]);
    const bob = scheduleUploader([fresh('b1', small(36))]);
    const order = queueOrder([
      { label: 'a1', tasks: alice.get('a1')! },
      { label: 'a2', tasks: alice.get('a2')! },
      { label: 'a3', tasks: alice.get('a3')! },
      { label: 'b1', tasks: bob.get('b1')! },
    ]);
    // Per-upload fairness would run all three of Alice's first chunks before Bob's second; per-person runs
    // Bob's second task right after Alice's second.
    expect(order.slice(0, 6)).toEqual(['a1/video:0:low', 'b1/video:0:low', 'a2/video:0:low', 'b1/video:1:low', 'a3/video:0:low', 'b1/video:2:low']);
    // Bob's whole video is done by the time Alice has had five tasks.
    expect(order.indexOf('b1/video:3:low')).toBeLessThan(order.indexOf('a3/video:1:low'));
  });

  it('does not let a 3-hour upload starve a newcomer, and the newcomer joins the rotation where the queue stands', () => {
    const long = small(3 * 3600);
    // Alice's 3-hour upload has had 100 chunks encoded; the rest wait.
    const waiting = new Set(allTaskNames(long).filter((task) => (parseInt(task.split(':')[1] ?? '0', 10) || 0) >= 100));
    const aliceTasks = scheduleUploader([{ videoId: 'a1', plan: long, pending: waiting }], 100).get('a1')!;
    const front = aliceTasks.find((task) => task.task === 'video:100:low')!;
    const start = ordinalOfTask(front.task, front.priority)!;
    expect(start).toBe(100);
    const bob = scheduleUploader([fresh('b1', small(36))], start).get('b1')!;
    const order = queueOrder([
      { label: 'a1', tasks: aliceTasks },
      { label: 'b1', tasks: bob },
    ]);
    expect(order.slice(0, 6)).toEqual(['a1/video:100:low', 'b1/video:0:low', 'a1/video:101:low', 'b1/video:1:low', 'a1/video:102:low', 'b1/video:2:low']);
  });

  it('reschedules only what no worker has started, keeping the audio just after each video’s first chunk', () => {
    const withAudio = buildChunkedPlan(source({ durationSeconds: 36, width: 854, height: 480 }), OPTIONS);
    const started = { videoId: 'a1', plan: withAudio, pending: new Set(['video:2:low', 'thumbnails']) };
    const tasks = scheduleUploader([started, fresh('a2', withAudio)], 7);
    expect(tasks.get('a1')!.map((task) => task.task)).toEqual(['video:2:low', 'thumbnails']);
    const a2 = tasks.get('a2')!;
    const audio = a2.find((task) => task.task === 'audio')!.priority;
    expect(audio).toBe(a2.find((task) => task.task === 'video:0:low')!.priority - 1);
    expect(audio).toBeGreaterThan(a2.find((task) => task.task === 'video:1:low')!.priority);
    expect(ordinalOfTask('video:2:low', tasks.get('a1')!.find((task) => task.task === 'video:2:low')!.priority)).toBe(7);
    expect(ordinalOfTask('video:0:low', a2.find((task) => task.task === 'video:0:low')!.priority)).toBe(8);
  });

  it('is what scheduleTasks gives a lone upload, its ordinals the position in videoTaskOrder', () => {
    const plan = buildChunkedPlan(source({ durationSeconds: 60 }), OPTIONS);
    expect(scheduleUploader([fresh('x', plan)]).get('x')).toEqual(scheduleTasks(plan));
    const order = videoTaskOrder(plan);
    for (const task of scheduleTasks(plan).filter((spec) => spec.kind === 'video'))
      expect(ordinalOfTask(task.task, task.priority)).toBe(order.indexOf(task.task));
  });
});

describe('estimateRungEtas', () => {
  // 720p source, 60 s: chunks 0–3 split (low = 144p–480p, high = 720p), chunks 4 and 5 (12 s each) one task for all rungs.
  const plan = buildChunkedPlan(source({ durationSeconds: 60 }), OPTIONS);
  const task = (index: number, tier: TierName, wallSeconds: number) => ({ task: videoTaskName(index, tier), wallSeconds });
  const lead = [task(0, 'low', 2), task(1, 'low', 4), task(2, 'low', 6), task(3, 'low', 6)];
  const pixels = (indexes: number[]) => indexes.reduce((sum, index) => sum + plan.rungs[index]!.width * plan.rungs[index]!.height, 0);

  it('has nothing to say before a chunk is done', () => {
    expect(estimateRungEtas(plan, [], 5)).toEqual([null, null, null, null, null]);
    expect(estimateRungEtas(plan, [{ task: 'audio', wallSeconds: 2 }], 5)).toEqual([null, null, null, null, null]);
  });

  it('borrows the cost of the whole-ladder chunks from the cheap tier, scaled by pixels, and ends every rung with the last chunk', () => {
    // One worker, busy the whole time: every lead task done, the cheap tier at 0.5 s per second of video.
    const done = [...lead, task(0, 'high', 3), task(1, 'high', 6), task(2, 'high', 9), task(3, 'high', 9)];
    const busy = done.reduce((sum, entry) => sum + entry.wallSeconds, 0);
    const allCost = (0.5 * pixels([0, 1, 2, 3, 4])) / pixels([0, 1, 2, 3]);
    expect(estimateRungEtas(plan, done, busy)).toEqual(Array(5).fill(Math.round(24 * allCost)));
    // Twice the share of the fleet: half the time.
    expect(estimateRungEtas(plan, done, busy / 2)).toEqual(Array(5).fill(Math.round(12 * allCost)));
  });

  it('uses the measured cost of a finished whole-ladder chunk, and is zero once a rung is complete', () => {
    const done = [...lead, task(0, 'high', 3), task(1, 'high', 6), task(2, 'high', 9), task(3, 'high', 9), task(4, 'all', 18)];
    const busy = done.reduce((sum, entry) => sum + entry.wallSeconds, 0);
    expect(estimateRungEtas(plan, done, busy)).toEqual(Array(5).fill(18));
    expect(estimateRungEtas(plan, [...done, task(5, 'all', 20)], busy + 20)).toEqual([0, 0, 0, 0, 0]);
  });

  it('adds up everything scheduled before a rung’s last task: the cheap rungs end with the last whole-ladder chunk, 720p with the last expensive one', () => {
    const done = [...lead, task(0, 'high', 3)];
    const left = scheduleTasks(plan).filter((spec) => spec.kind === 'video' && !done.some((entry) => entry.task === spec.task));
    expect(left.map((spec) => spec.task).sort()).toEqual(['video:1:high', 'video:2:high', 'video:3:high', 'video:4:all', 'video:5:all']);
    // Rate 1 (21 s of work in 21 s). High measured at 0.75 s per second (3 s for 4 s): 8 + 12 + 12 s left; the
    // whole-ladder chunks borrow the cheap tier's 0.5 s per second, scaled by pixels: 24 s left. In the queue:
    // all 4, (thumbnails), all 5, then high 1, 2, 3, so the cheap rungs are done before the last 32 s of 720p.
    expect(videoTaskOrder(plan).slice(-6)).toEqual(['video:4:all', 'thumbnails', 'video:5:all', 'video:1:high', 'video:2:high', 'video:3:high']);
    const whole = 24 * ((0.5 * pixels([0, 1, 2, 3, 4])) / pixels([0, 1, 2, 3]));
    const cheap = Math.round(whole);
    expect(estimateRungEtas(plan, done, 21)).toEqual([cheap, cheap, cheap, cheap, Math.round(0.75 * 32 + whole)]);
  });

  it('gives the cheap rungs a shorter ETA than the expensive ones when the expensive tier comes last', () => {
    const hd = buildChunkedPlan(source({ durationSeconds: 60, width: 1920, height: 1080 }), OPTIONS);
    expect(videoTaskOrder(hd).slice(-3)).toEqual(['video:2:high', 'video:3:high', 'video:4:high']);
    const etas = estimateRungEtas(hd, [task(0, 'low', 2), task(1, 'low', 3)], 6);
    expect(etas.slice(0, 4).every((eta) => eta === etas[0])).toBe(true);
    expect(etas[4]).toBe(etas[5]);
    expect(etas[4]!).toBeGreaterThan(etas[0]!);
  });
});

describe('publishState', () => {
  const plan = buildChunkedPlan(source(), OPTIONS);
  const total = scheduleTasks(plan).length;

  it('is not playable before the audio exists, and playable once the first cheap chunk and the audio do', () => {
    const first = { task: videoTaskName(0, 'low'), result: chunkResult(plan, 0, 'low') };
    expect(publishState(plan, [first], total).playable).toBe(false);
    const state = publishState(plan, [first, { task: 'audio', result: audioResult }], total);
    expect(state).toMatchObject({ playable: true, complete: false, publishedRungs: [0, 1, 2, 3] });
    expect(state.rungProgress.map((share) => Math.round(share * 1000) / 1000)).toEqual([0.133, 0.133, 0.133, 0.133, 0]);
  });

  /** The audio task's progress: AAC segments of 4 s give or take one 1024-sample frame, as ffmpeg cuts them. */
  const audioSoFar = (seconds: readonly number[]) => {
    let start = 0;
    const segments = seconds.map((length, index) => {
      const segment = { number: index + 1, startTicks: start, durationTicks: Math.round(length * 48000), bytes: 64_000 };
      start += segment.durationTicks;
      return segment;
    });
    return { stream: { stream: 5, timescale: 48000, codecs: 'mp4a.40.2', segments } };
  };

  it('is playable while the audio is still encoded, once its segments so far cover the first chunk', () => {
    const first = { task: videoTaskName(0, 'low'), result: chunkResult(plan, 0, 'low') };
    const frame = 1024 / 48000;
    expect(plan.chunks[0]!.endSeconds).toBe(4);
    // Two short segments (3.9 s) do not reach the end of chunk 0 (4 s).
    const short = publishState(plan, [first], total, audioSoFar([2, 1.9]));
    expect(short).toMatchObject({ playable: false, audioComplete: false });
    expect(short.streams[5]!.segments).toHaveLength(2);
    // One segment a frame short of it is enough.
    expect(publishState(plan, [first], total, audioSoFar([4 - frame])).playable).toBe(true);
    // Three go well past it, and are all listed.
    const enough = publishState(plan, [first], total, audioSoFar([4 + frame, 4 - frame, 4 - frame]));
    expect(enough).toMatchObject({ playable: true, audioComplete: false, complete: false });
    const files = publishedFiles(plan, enough);
    const audioPlaylist = files.get('media_5.m3u8')!;
    expect(audioPlaylist).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(audioPlaylist).not.toContain('#EXT-X-ENDLIST');
    expect(audioPlaylist.match(/seg-5-\d+\.m4s/g)).toEqual(['seg-5-00001.m4s', 'seg-5-00002.m4s', 'seg-5-00003.m4s']);
    expect(files.get('master.m3u8')).toContain('URI="media_5.m3u8"');
    // Without the video's first chunk, audio alone is not playable.
    expect(publishState(plan, [], total, audioSoFar([4, 4, 4, 4])).playable).toBe(false);
  });

  it('takes the finished audio task over its progress, and ends the audio playlist then', () => {
    const first = { task: videoTaskName(0, 'low'), result: chunkResult(plan, 0, 'low') };
    const state = publishState(plan, [first, { task: 'audio', result: audioResult }], total, audioSoFar([4]));
    expect(state).toMatchObject({ playable: true, audioComplete: true });
    expect(state.streams[5]).toEqual(audioResult.stream);
    expect(publishedFiles(plan, state).get('media_5.m3u8')).toContain('#EXT-X-ENDLIST');
  });

  it('has nothing to wait for without audio', () => {
    const silent = buildChunkedPlan(source({ hasAudio: false, audioStreamIndex: null }), OPTIONS);
    const state = publishState(silent, [{ task: videoTaskName(0, 'low'), result: chunkResult(silent, 0, 'low') }], scheduleTasks(silent).length);
    expect(state).toMatchObject({ playable: true, audioComplete: true });
  });

  it('measures how far the audio reaches', () => {
    expect(audioSecondsCovered(audioSoFar([4, 4, 2]).stream)).toBeCloseTo(10);
    expect(audioSecondsCovered({ stream: 5, timescale: 0, codecs: '', segments: [] })).toBe(0);
  });

  it('publishes only the contiguous run of chunks from the start', () => {
    const done = [
      { task: 'audio', result: audioResult },
      { task: videoTaskName(0, 'low'), result: chunkResult(plan, 0, 'low') },
      { task: videoTaskName(2, 'low'), result: chunkResult(plan, 2, 'low') },
    ];
    const state = publishState(plan, done, total);
    expect(state.streams[0]!.segments.map((segment) => segment.number)).toEqual([1]);
    // Chunk 2 counts toward progress even though it waits for chunk 1 to be published.
    expect(state.rungProgress[0]).toBeCloseTo(16 / 30);
    const playlist = publishedFiles(plan, state).get('media_0.m3u8')!;
    expect(playlist).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(playlist).not.toContain('seg-0-00004.m4s');
    expect(publishedFiles(plan, state).has('manifest.mpd')).toBe(false);
  });

  it('lists an expensive rung once its run reaches as far as the start rungs', () => {
    const done = [
      { task: 'audio', result: audioResult },
      { task: videoTaskName(0, 'low'), result: chunkResult(plan, 0, 'low') },
      { task: videoTaskName(1, 'low'), result: chunkResult(plan, 1, 'low') },
      { task: videoTaskName(0, 'high'), result: chunkResult(plan, 0, 'high') },
    ];
    expect(publishState(plan, done, total).publishedRungs).toEqual([0, 1, 2, 3]);
    const caughtUp = publishState(plan, [...done, { task: videoTaskName(1, 'high'), result: chunkResult(plan, 1, 'high') }], total);
    expect(caughtUp.publishedRungs).toEqual([0, 1, 2, 3, 4]);
    expect(caughtUp.streams[4]!.segments.map((segment) => segment.number)).toEqual([1, 2, 3]);
  });

  it('takes every stream’s segments of a later chunk from its one whole-ladder task', () => {
    const long = buildChunkedPlan(source({ durationSeconds: 60 }), OPTIONS);
    const done = [
      { task: 'audio', result: audioResult },
      ...long.chunks.flatMap((chunk) =>
        tiersOfChunk(long, chunk.index).map((tier) => ({ task: videoTaskName(chunk.index, tier.name), result: chunkResult(long, chunk.index, tier.name) })),
      ),
    ];
    const state = publishState(long, done, allTaskNames(long).length);
    expect(state).toMatchObject({ playable: true, complete: false, publishedRungs: [0, 1, 2, 3, 4], progress: 1 });
    for (const stream of state.streams.slice(0, 5))
      expect(stream.segments.map((segment) => segment.number)).toEqual(Array.from({ length: 15 }, (_, index) => index + 1));
  });

  it('writes VOD playlists and the MPD when every task is done', () => {
    const done = [
      { task: 'audio', result: audioResult },
      { task: 'thumbnails', result: {} },
      ...plan.chunks.flatMap((chunk) =>
        plan.tiers.map((tier) => ({ task: videoTaskName(chunk.index, tier.name), result: chunkResult(plan, chunk.index, tier.name) })),
      ),
    ];
    const state = publishState(plan, done, total);
    expect(state).toMatchObject({ complete: true, playable: true, publishedRungs: [0, 1, 2, 3, 4], progress: 1 });
    const files = publishedFiles(plan, state);
    expect(files.get('media_4.m3u8')).toContain('#EXT-X-ENDLIST');
    expect(files.get('manifest.mpd')).toContain('type="static"');
    expect(files.get('master.m3u8')!.match(/#EXT-X-STREAM-INF/g)).toHaveLength(5);
  });
});

describe('estimateSecondsLeft', () => {
  it('extrapolates from the work done so far', () => {
    expect(estimateSecondsLeft(0.25, 10)).toBe(30);
    expect(estimateSecondsLeft(0, 10)).toBeNull();
    expect(estimateSecondsLeft(1, 10)).toBe(0);
  });
});

describe('liveSourceCaches', () => {
  it('keeps the caches of processes that run here and of other machines, and nothing else', () => {
    const names = ['sources-here:100', 'sources-here:200', 'sources-there:100'];
    expect(liveSourceCaches(names, 'here', (pid) => pid === 100)).toEqual(new Set(['sources-here:100', 'sources-there:100']));
  });
});
