// Runs the real socklab CLI as a child process and collects what it did.
import { spawn } from 'node:child_process';
import { cliPath } from './paths.js';

export interface CliRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
}

export interface CliOptions {
  cwd?: string;
  /** Called once the CLI started; may send it signals. */
  onStart?: (pid: number, output: () => string) => void;
  timeoutMs?: number;
  /** Added to the CLI's environment (which has NO_COLOR=1 and no FORCE_COLOR unless given here). */
  env?: Record<string, string>;
  /** An environment variable set to the CLI's own pid, so that the programs it runs (which inherit it) know it. */
  pidVariable?: string;
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...options.env };
    // Plain output unless a test asks for colors: a FORCE_COLOR of the test runner's own (CI often
    // sets one) would win over NO_COLOR.
    if (options.env?.FORCE_COLOR === undefined) delete env.FORCE_COLOR;
    // With pidVariable, a shell puts its own pid in the variable and execs the CLI, which keeps that pid.
    const command = options.pidVariable ? ['/bin/sh', '-c', `export ${options.pidVariable}=$$; exec "$0" "$@"`, process.execPath] : [process.execPath];
    const child = spawn(command[0], [...command.slice(1), cliPath, ...args], { cwd: options.cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`socklab ${args.join(' ')} did not finish in ${options.timeoutMs ?? 120_000}ms\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 120_000);
    options.onStart?.(child.pid!, () => stdout + stderr);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, stdout, stderr, pid: child.pid! });
    });
  });
}
