// Starting one of our reference services (dist/services/NAME.js) on a free 127.0.0.1 port and waiting
// for its "listening on" line, and finding programs on PATH.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startProcess, stopProcess, waitForOutput } from './processes.mjs';
import { freePort, HOST } from './ports.mjs';
import { root } from './socklab.mjs';

/** { proc, port, readyMs }: readyMs runs from spawn to the ready line. Stop it with stopProcess(proc). */
export async function startService(service, extraArgs = []) {
  const port = await freePort();
  const proc = startProcess(process.execPath, [path.join(root, 'dist', 'services', `${service}.js`), String(port), '--host', HOST, ...extraArgs], { cwd: root });
  try {
    const readyAt = await waitForOutput(proc, /listening on/);
    return { proc, port, readyMs: readyAt - proc.startedAt };
  } catch (error) {
    await stopProcess(proc);
    throw error;
  }
}

export function findOnPath(program, extraDirs = []) {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), ...extraDirs]) {
    const candidate = path.join(dir, program);
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}
