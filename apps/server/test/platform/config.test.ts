import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, SETTING_NAMES } from '../../src/config.ts';

describe('configuration', () => {
  it('runs on embedded defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ ROLE: 'all', PORT: 3000, publicUrl: 'http://localhost:3000', storageDriver: 'fs', AUTH_ACCESS_TOKEN_TTL: 900 });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.mediaDir).toBe(`${config.dataDir}/media`);
  });

  it('parses numbers and booleans from strings', () => {
    const config = loadConfig({ PORT: '8080', TRUST_PROXY: 'yes', S3_FORCE_PATH_STYLE: 'false', PUBLIC_URL: 'https://tube.example/' });
    expect(config.PORT).toBe(8080);
    expect(config.TRUST_PROXY).toBe(true);
    expect(config.publicUrl).toBe('https://tube.example');
  });

  it('chooses S3 storage when a bucket is configured', () => {
    expect(loadConfig({ S3_BUCKET: 'media' }).storageDriver).toBe('s3');
    expect(loadConfig({ S3_BUCKET: 'media', STORAGE_DRIVER: 'fs' }).storageDriver).toBe('fs');
  });

  it.each([
    [{ PORT: 'eighty' }, 'Invalid configuration: PORT must be a number (got "eighty")'],
    [{ PORT: '70000' }, /^Invalid configuration: PORT .*70000/],
    [{ ROLE: 'everything' }, 'Invalid configuration: ROLE must be one of all, api, worker (got "everything")'],
    [{ TRUST_PROXY: 'maybe' }, 'Invalid configuration: TRUST_PROXY must be true or false (got "maybe")'],
    [{ DATABASE_URL: 'mysql://x' }, /^Invalid configuration: DATABASE_URL /],
    [{ STORAGE_DRIVER: 's3' }, 'Invalid configuration: S3_BUCKET is required when STORAGE_DRIVER=s3'],
    [{ AUTH_OIDC_AUDIENCE: 'client' }, 'Invalid configuration: AUTH_OIDC_ISSUER is required when AUTH_OIDC_AUDIENCE is set'],
  ])('refuses %j and names the setting', (env, message) => {
    let caught: unknown;
    try {
      loadConfig(env);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    if (typeof message === 'string') expect((caught as Error).message).toBe(message);
    else expect((caught as Error).message).toMatch(message);
  });
});

describe('the README configuration table', () => {
  it('documents every setting', () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../../../README.md'), 'utf8');
    const documented = new Set([...readme.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((match) => match[1]));
    expect(SETTING_NAMES.filter((name) => !documented.has(name))).toEqual([]);
    expect([...documented].filter((name) => !SETTING_NAMES.includes(name as (typeof SETTING_NAMES)[number]))).toEqual([]);
  });
});
