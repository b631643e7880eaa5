/**
 * Exercises the Dockerfile's build and run steps on a machine without Docker: every COPY of the build stage
 * is replayed from the repository into a temporary directory (honouring .dockerignore's directory patterns),
 * every RUN of the build stage runs there, the runtime stage's COPY --from=build lines assemble the final
 * tree, and the image's CMD is started from it with the image's ENV (plus a database and Redis) and must
 * answer /healthz and /readyz, then exit 0 on SIGTERM. The migrations entry point runs first the same way.
 *
 *   node --import tsx deploy/dockerfile-check.ts            # needs PostgreSQL and Redis like the tests
 *
 * Not exercised: the base image, apt-get (the host's ffmpeg stands in), the non-root user, HEALTHCHECK and
 * tini. It takes about a minute (npm ci and the web build).
 */
import { execFileSync, spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, TEST_REDIS_URL } from '../apps/server/test/helpers/database.ts';

const repo = path.resolve(import.meta.dirname, '..');

interface Instruction {
  stage: string;
  op: string;
  args: string;
}

export function parseDockerfile(text: string): Instruction[] {
  const joined = text.replace(/\\\n/g, ' ');
  const result: Instruction[] = [];
  let stage = '';
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [, op = '', args = ''] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (op === 'FROM') stage = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? args;
    result.push({ stage, op, args: args.trim() });
  }
  return result;
}

/** `KEY=value KEY2=value` (the form the Dockerfile uses) into an object. */
export function parseEnv(args: string): Record<string, string> {
  return Object.fromEntries([...args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
}

async function main(): Promise<void> {
  const dockerfile = parseDockerfile(await readFile(path.join(repo, 'Dockerfile'), 'utf8'));
  const ignoredDirs = (await readFile(path.join(repo, '.dockerignore'), 'utf8'))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.replace(/^\*\*\//, ''));
  const work = await mkdtemp(path.join(tmpdir(), 'tube-dockerfile-'));
  const build = path.join(work, 'build');
  const runtime = path.join(work, 'runtime');
  const database = await createTestDatabase();
  try {
    for (const step of dockerfile.filter((s) => s.stage === 'build')) {
      if (step.op === 'COPY') {
        const parts = step.args.split(/\s+/);
        const destination = parts.pop()!;
        for (const source of parts) {
          const target =
            destination.endsWith('/') || parts.length > 1
              ? path.join(build, destination, path.basename(source))
              : path.join(build, destination === './' ? path.basename(source) : destination);
          await cp(path.join(repo, source), target, {
            recursive: true,
            filter: (file) => !ignoredDirs.some((ignored) => path.relative(repo, file).split(path.sep).includes(ignored)),
          });
        }
      } else if (step.op === 'RUN') {
        console.log(`RUN ${step.args}`);
        execFileSync('sh', ['-c', step.args], { cwd: build, stdio: 'inherit' });
      }
    }
    const env: Record<string, string> = {};
    for (const step of dockerfile.filter((s) => s.stage === 'runtime')) {
      if (step.op === 'ENV') Object.assign(env, parseEnv(step.args));
      if (step.op === 'COPY') {
        const parts = step.args.split(/\s+/).filter((part) => !part.startsWith('--'));
        const destination = parts.pop()!;
        for (const source of parts) {
          const relative = path.relative('/app', source);
          const target = destination.endsWith('/') ? path.join(runtime, destination, path.basename(relative)) : path.join(runtime, destination);
          if (!existsSync(path.join(build, relative))) throw new Error(`COPY --from=build: ${source} does not exist after the build stage`);
          await cp(path.join(build, relative), target, { recursive: true, verbatimSymlinks: true });
        }
      }
    }
    const cmd = JSON.parse(dockerfile.find((s) => s.stage === 'runtime' && s.op === 'CMD')!.args) as string[];
    const dataDir = path.join(work, 'data');
    const processEnv = {
      PATH: process.env.PATH ?? '',
      ...env,
      // The image's /data and /usr/bin paths, mapped onto this machine.
      DATA_DIR: dataDir,
      FFMPEG_PATH: 'ffmpeg',
      FFPROBE_PATH: 'ffprobe',
      PORT: '44980',
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: `tube-dockerfile:${process.pid}:`,
    };
    console.log('migrations job: node --import tsx apps/server/src/cli/migrate.ts');
    execFileSync(cmd[0]!, ['--import', 'tsx', 'apps/server/src/cli/migrate.ts'], { cwd: runtime, env: processEnv, stdio: 'inherit' });
    console.log(`CMD ${cmd.join(' ')} (ROLE=${env.ROLE})`);
    const server = spawn(cmd[0]!, cmd.slice(1), { cwd: runtime, env: processEnv, stdio: ['ignore', 'inherit', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
    const base = `http://127.0.0.1:${processEnv.PORT}`;
    let ready = false;
    for (let attempt = 0; attempt < 120 && !ready; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      ready = await fetch(`${base}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
    }
    if (!ready) throw new Error('the image command did not become ready within 60 s');
    const healthz = await fetch(`${base}/healthz`);
    const index = await fetch(`${base}/`, { headers: { accept: 'text/html' } });
    if (!healthz.ok || !(await index.text()).includes('<div id="root">')) throw new Error('healthz or the web app failed');
    server.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) throw new Error(`the server exited with ${code} on SIGTERM`);
    console.log(
      'Dockerfile check passed: build steps ran, migrations ran, the image command served /healthz, /readyz and the web app and stopped cleanly on SIGTERM.',
    );
  } finally {
    await database.drop();
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
