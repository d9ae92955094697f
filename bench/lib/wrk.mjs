// wrk, the HTTP load generator behind every throughput figure: written in C with an event loop, it
// saturates nginx on this machine where a Node load generator saturates first. One wrk thread (the
// machine has 2 cores: one for wrk, one for the server), N connections, keep-alive unless the request
// says "Connection: close", in which case wrk opens a new connection for every request.
import { HOST } from './ports.mjs';
import { runCommand } from './processes.mjs';

/**
 * { requestsPerSecond, requests, latencyMs: { p50, p99 }, non2xx, socketErrors } of one run; throws
 * when wrk fails or prints no figure.
 */
export async function runWrk(binary, { port, target, connections = 20, seconds = 2, close = false }) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...(close ? ['-H', 'Connection: close'] : []), `http://${HOST}:${port}${target}`];
  const result = await runCommand(binary, args, { timeoutMs: (seconds + 30) * 1000 });
  const figures = parseWrkOutput(result.stdout);
  if (result.code !== 0 || !figures) throw new Error(`wrk ${args.join(' ')} failed (exit ${result.code ?? result.signal}): ${(result.stderr || result.stdout).trim().slice(-300)}`);
  return figures;
}

const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function durationMs(text) {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  return match ? Number(match[1]) * UNIT_MS[match[2]] : NaN;
}

export function parseWrkOutput(stdout) {
  const requestsPerSecond = /^Requests\/sec:\s+([\d.]+)/m.exec(stdout);
  const requests = /^\s*(\d+) requests in /m.exec(stdout);
  if (!requestsPerSecond || !requests) return null;
  const percentile = (p) => durationMs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(stdout)?.[1] ?? '');
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  return {
    requestsPerSecond: Number(requestsPerSecond[1]),
    requests: Number(requests[1]),
    latencyMs: { p50: percentile(50), p99: percentile(99) },
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0),
    socketErrors: errors ? { connect: Number(errors[1]), read: Number(errors[2]), write: Number(errors[3]), timeout: Number(errors[4]) } : null,
  };
}
