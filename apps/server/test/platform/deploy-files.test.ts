import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import { sql } from 'kysely';
import { SETTING_NAMES } from '../../src/config.ts';
import { TRANSCODE_QUEUE } from '../../src/videos/video.jobs.ts';
import { parseDockerfile, parseEnv } from '../../../../deploy/dockerfile-check.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

/** The deployment files: Docker, compose and Kubernetes cannot run here, so what can be checked is checked. */
const repo = path.resolve(import.meta.dirname, '../../../..');
const deploy = path.join(repo, 'deploy');
const settings = new Set<string>(SETTING_NAMES);

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; [key: string]: unknown }; [key: string]: unknown };
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1/Job': Job,
  'networking.k8s.io/v1/Ingress': Ingress,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
  'keda.sh/v1alpha1/TriggerAuthentication': TriggerAuthentication,
};

async function manifestsIn(dir: string): Promise<{ kustomization: { resources?: string[]; patches?: { path: string }[] }; documents: Manifest[] }> {
  const kustomization = parseYaml(await readFile(path.join(dir, 'kustomization.yaml'), 'utf8'));
  const files = [...(kustomization.resources ?? []), ...(kustomization.patches ?? []).map((p: { path: string }) => p.path)].filter((f: string) =>
    f.endsWith('.yaml'),
  );
  const documents: Manifest[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(path.join(dir, file), 'utf8'))) {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      documents.push(doc.toJS() as Manifest);
    }
  }
  return { kustomization, documents };
}

/** What a strategic merge patch does for these patches: objects merge key by key; lists and scalars are replaced. */
function merge(base: unknown, patch: unknown): unknown {
  if (typeof base !== 'object' || base === null || Array.isArray(base) || typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) result[key] = key in result ? merge(result[key], value) : value;
  return result;
}

function validate(manifest: Manifest): void {
  const model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
  if (!model) throw new Error(`no schema for ${manifest.apiVersion} ${manifest.kind}`);
  new model(manifest as never).validate();
}

/** Environment variable names a manifest hands to Tube's containers. */
function envNames(manifest: Manifest): string[] {
  if (manifest.kind === 'ConfigMap') return Object.keys((manifest.data as Record<string, string>) ?? {});
  if (manifest.kind === 'Secret') return Object.keys((manifest.stringData as Record<string, string>) ?? {});
  const containers = (manifest.spec as { template?: { spec?: { containers?: { env?: { name: string }[] }[] } } })?.template?.spec?.containers ?? [];
  return containers.flatMap((container) => (container.env ?? []).map((entry) => entry.name));
}

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  it('validate against the Kubernetes and KEDA schemas, base and AWS overlay', async () => {
    const base = await manifestsIn(path.join(deploy, 'kubernetes/base'));
    expect(base.documents.map((d) => d.kind).sort()).toEqual(
      [
        'ConfigMap',
        'Deployment',
        'Deployment',
        'HorizontalPodAutoscaler',
        'Ingress',
        'Job',
        'PodDisruptionBudget',
        'ScaledObject',
        'Secret',
        'Service',
        'ServiceAccount',
        'TriggerAuthentication',
      ].sort(),
    );
    for (const manifest of base.documents) expect(() => validate(manifest), `${manifest.kind} ${manifest.metadata.name}`).not.toThrow();

    const aws = await manifestsIn(path.join(deploy, 'kubernetes/aws'));
    expect(aws.kustomization.resources).toEqual(['../base']);
    for (const patch of aws.documents) {
      const target = base.documents.find((d) => d.kind === patch.kind && d.metadata.name === patch.metadata.name);
      expect(target, `the AWS patch for ${patch.kind} ${patch.metadata.name} has a base resource`).toBeDefined();
      expect(() => validate(merge(target, patch) as Manifest), `${patch.kind} ${patch.metadata.name} with the AWS patch`).not.toThrow();
    }
  });

  it('catches a manifest that breaks the schema (the validation can fail)', () => {
    expect(() => validate({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 'two' } })).toThrow();
    expect(() => validate({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'x' }, spec: { triggers: [] } })).toThrow();
  });

  it('pass Tube only real settings, probe /healthz and /readyz, and keep the API available during disruptions', async () => {
    const all = [...(await manifestsIn(path.join(deploy, 'kubernetes/base'))).documents, ...(await manifestsIn(path.join(deploy, 'kubernetes/aws'))).documents];
    const names = all.flatMap(envNames);
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((name) => !settings.has(name))).toEqual([]);
    for (const name of ['tube-api', 'tube-worker']) {
      const deployment = all.find((d) => d.kind === 'Deployment' && d.metadata.name === name) as unknown as Deployment;
      const container = deployment.spec!.template.spec!.containers[0]!;
      expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
      expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
      expect(container.env?.find((e) => e.name === 'ROLE')?.value).toBe(name === 'tube-api' ? 'api' : 'worker');
      expect(deployment.spec!.template.spec!.securityContext?.runAsNonRoot).toBe(true);
    }
    const scaled = all.find((d) => d.kind === 'ScaledObject') as unknown as ScaledObject;
    expect(scaled.spec.minReplicaCount).toBe(0);
    expect(scaled.spec.triggers[0]!.type).toBe('postgresql');
  });
});

describe("the KEDA scaler's query", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, 'api');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('runs against the real pg-boss schema and returns the transcode queue depth, running jobs included', async () => {
    const manifest = parseAllDocuments(await readFile(path.join(deploy, 'kubernetes/base/worker-scaledobject.yaml'), 'utf8'))
      .map((doc) => doc.toJS() as Manifest)
      .find((doc) => doc.kind === 'ScaledObject') as unknown as ScaledObject;
    const query = manifest.spec.triggers[0]!.metadata.query as string;
    const depth = async () => Number((await sql.raw<{ count: string | number }>(query).execute(t.infra.db)).rows[0]!.count);

    expect(await depth()).toBe(0);
    for (let i = 0; i < 3; i++) await t.infra.queue.send(TRANSCODE_QUEUE, { videoId: crypto.randomUUID() });
    await t.infra.queue.send('some.other.queue.that.does.not.count', {}).catch(() => undefined);
    expect(await depth()).toBe(3);
    // A job a worker is running still needs its worker: it stays counted until it completes.
    const [running] = await t.infra.queue.fetch(TRANSCODE_QUEUE);
    expect(running).toBeDefined();
    expect(await depth()).toBe(3);
    await t.infra.queue.complete(TRANSCODE_QUEUE, running!.id);
    expect(await depth()).toBe(2);
  });
});

describe('compose, nginx and the Dockerfile', () => {
  it('compose.yaml gives Tube only real settings, health checks, two API processes and the nginx front', async () => {
    const compose = parseYaml(await readFile(path.join(deploy, 'compose.yaml'), 'utf8'), { merge: true }) as {
      services: Record<
        string,
        { environment?: Record<string, string>; healthcheck?: unknown; deploy?: { replicas?: number }; image?: string; env_file?: string; volumes?: string[] }
      >;
    };
    const tubeServices = ['migrate', 'api', 'worker'];
    for (const name of tubeServices) {
      const service = compose.services[name]!;
      expect(
        Object.keys(service.environment ?? {}).filter((key) => !settings.has(key)),
        name,
      ).toEqual([]);
      if (name !== 'migrate') expect(service.healthcheck, name).toBeDefined();
    }
    expect(compose.services.api!.deploy?.replicas).toBe(2);
    for (const name of ['postgres', 'redis', 'minio', 'nginx']) expect(compose.services[name]!.healthcheck, name).toBeDefined();
    for (const example of ['tube.env.example']) {
      const keys = (await readFile(path.join(deploy, example), 'utf8'))
        .split('\n')
        .filter((l) => /^[A-Z]/.test(l))
        .map((l) => l.split('=')[0]!);
      expect(keys.filter((key) => !settings.has(key))).toEqual([]);
    }
    // Every variable of the nginx template is given to the nginx container, and the mounted directories exist.
    const template = await readFile(path.join(deploy, 'nginx/templates/tube.conf.template'), 'utf8');
    const variables = [...new Set([...template.matchAll(/\$\{(TUBE_[A-Z_]+)\}/g)].map((m) => m[1]!))];
    expect(variables.length).toBe(5);
    expect(variables.filter((v) => !(v in (compose.services.nginx!.environment ?? {})))).toEqual([]);
    for (const volume of compose.services.nginx!.volumes ?? []) {
      const source = volume.split(':')[0]!;
      if (source.startsWith('./')) expect(existsSync(path.join(deploy, source)), source).toBe(true);
    }
  });

  it('the Dockerfile sets only real settings, copies files that exist and runs an entry point that exists', async () => {
    const steps = parseDockerfile(await readFile(path.join(repo, 'Dockerfile'), 'utf8'));
    const env = Object.assign({}, ...steps.filter((s) => s.op === 'ENV').map((s) => parseEnv(s.args))) as Record<string, string>;
    expect(Object.keys(env).length).toBeGreaterThan(3);
    expect(Object.keys(env).filter((key) => !settings.has(key))).toEqual([]);
    expect(env.ROLE).toBe('api');
    expect(steps.some((s) => s.op === 'USER' && s.args === 'node')).toBe(true);
    for (const step of steps.filter((s) => s.op === 'COPY' && !s.args.includes('--from'))) {
      for (const source of step.args.split(/\s+/).slice(0, -1)) expect(existsSync(path.join(repo, source)), source).toBe(true);
    }
    const cmd = JSON.parse(steps.find((s) => s.op === 'CMD')!.args) as string[];
    expect(existsSync(path.join(repo, cmd.at(-1)!))).toBe(true);
    expect(existsSync(path.join(repo, 'apps/server/src/cli/migrate.ts'))).toBe(true);
    expect((await readdir(path.join(deploy, 'nginx/tube'))).sort()).toEqual(['media-fs.conf', 'media-headers.conf', 'media-proxy.conf']);
  });
});
