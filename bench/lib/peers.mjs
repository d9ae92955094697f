// Peer web servers serving the same folder as our web-server, on 127.0.0.1 only: Python's
// http.server and nginx (one worker, like our single-threaded server). Each returns { proc, port }
// or { skipped: reason }.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findOrInstall } from './apt.mjs';
import { startProcess, stopProcess } from './processes.mjs';
import { freePort, HOST, waitForPort } from './ports.mjs';
import { findOnPath } from './services.mjs';
import { tempDir } from './temp.mjs';

export async function startPythonHttpServer(documentRoot) {
  if (!findOnPath('python3')) return { skipped: 'python3 is not installed' };
  const port = await freePort();
  const proc = startProcess('python3', ['-m', 'http.server', String(port), '--bind', HOST, '--directory', documentRoot], { stdio: 'ignore' });
  return ready(proc, port);
}

/**
 * Debian's nginx (installed with apt-get when missing, see apt.mjs), with a config in a temp folder:
 * one worker process, no access log, keep-alive for 5 s and 1000 requests (our web-server's defaults).
 */
export async function startNginx(documentRoot, log) {
  const { binary, skipped } = await findOrInstall('nginx', 'nginx', log);
  if (skipped) return { skipped };
  const prefix = tempDir('nginx');
  const port = await freePort();
  for (const dir of ['logs', 'temp']) mkdirSync(path.join(prefix, dir), { recursive: true });
  const temp = (name) => `${name}_temp_path ${path.join(prefix, 'temp', name)};`;
  writeFileSync(
    path.join(prefix, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${path.join(prefix, 'nginx.pid')};
error_log ${path.join(prefix, 'logs', 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  keepalive_timeout 5s;
  keepalive_requests 1000;
  types { text/html html; text/css css; image/png png; }
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}
  server { listen ${HOST}:${port}; root ${documentRoot}; }
}
`,
  );
  const proc = startProcess(binary, ['-p', prefix, '-e', path.join(prefix, 'logs', 'error.log'), '-c', path.join(prefix, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  return ready(proc, port);
}

async function ready(proc, port) {
  try {
    await Promise.race([waitForPort(port), proc.exited.then(() => Promise.reject(new Error(`exited at once: ${proc.output.stderr.trim().slice(-300)}`)))]);
    return { proc, port };
  } catch (error) {
    await stopProcess(proc);
    return { skipped: `did not start: ${error.message}` };
  }
}
