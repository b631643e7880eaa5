#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx tube …` works without a build step.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
// tsx resolved from here, not from the working directory (which may be anywhere, e.g. where a download is saved).
const tsx = import.meta.resolve('tsx');
const result = spawnSync(process.execPath, ['--import', tsx, entry, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
