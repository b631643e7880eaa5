/**
 * Renders deploy/nginx for a plain nginx the way the official nginx image does (envsubst of the template's
 * `${TUBE_*}` variables, nothing else), and writes a complete, self-contained nginx.conf around it: what the
 * cluster test and the segment benchmark run, so they exercise the shipped configuration itself.
 */
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const here = import.meta.dirname;

export interface NginxSettings {
  /** nginx `server` lines for the API processes. */
  upstreamServers: string;
  listen: string;
  mediaMode: 'fs' | 'proxy';
  mediaDir: string;
  cacheDir: string;
}

/** Replaces `${NAME}` for the given names only, as the image's envsubst call does with its defined variables. */
export function substitute(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (whole, name: string) => values[name] ?? whole);
}

export async function renderTemplate(settings: NginxSettings): Promise<string> {
  const template = await readFile(path.join(here, 'templates', 'tube.conf.template'), 'utf8');
  const rendered = substitute(template, {
    TUBE_UPSTREAM_SERVERS: settings.upstreamServers,
    TUBE_LISTEN: settings.listen,
    TUBE_MEDIA_MODE: settings.mediaMode,
    TUBE_MEDIA_DIR: settings.mediaDir,
    TUBE_CACHE_DIR: settings.cacheDir,
  });
  const left = /\$\{TUBE_[A-Z_]+\}/.exec(rendered);
  if (left) throw new Error(`nginx template variable ${left[0]} has no value`);
  return rendered;
}

/**
 * Writes `<dir>/nginx.conf` (+ `tube/`) for `nginx -p <dir> -c <dir>/nginx.conf`: foreground, logs and
 * temporary files inside `dir`, so it runs as any user. `workers`: nginx worker processes (0 = no master,
 * one process, the default).
 */
export async function writeStandaloneNginx(dir: string, settings: NginxSettings, options: { workers?: number; accessLog?: boolean } = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  await mkdir(settings.cacheDir, { recursive: true });
  await cp(path.join(here, 'tube'), path.join(dir, 'tube'), { recursive: true });
  const workers = options.workers ?? 0;
  // Workers run as the invoking user (root on CI would otherwise switch them to nobody, who cannot read temp dirs).
  const user = workers > 0 && process.getuid?.() === 0 ? 'user root;' : '';
  const conf = `
daemon off;
${workers === 0 ? 'master_process off;\nworker_processes 1;' : `${user}\nworker_processes ${workers};`}
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  ${options.accessLog ? `access_log ${dir}/access.log;` : 'access_log off;'}
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  default_type application/octet-stream;
${await renderTemplate(settings)}
}
`;
  const file = path.join(dir, 'nginx.conf');
  await writeFile(file, conf);
  return file;
}
