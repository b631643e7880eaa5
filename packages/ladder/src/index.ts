export * from './probe.ts';
export * from './ladder.ts';
export * from './transcode.ts';
export * from './thumbnails.ts';
