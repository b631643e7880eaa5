export * from './common.ts';
export * from './auth.ts';
export * from './videos.ts';
export * from './community.ts';
export * from './discovery.ts';
