// A small closed-loop HTTP load generator: `concurrency` workers, each sending one GET per fresh
// connection and the next as soon as the answer is in, until the time or the request budget runs
// out. The same code loads every peer, so their figures compare like with like.
import { httpGet } from './http-get.mjs';

export async function runLoad({ port, target, concurrency = 20, durationMs = 1_000, maxRequests = 50_000 }) {
  const latencies = [];
  const errors = {};
  let issued = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async () => {
    while (performance.now() < deadline && issued < maxRequests) {
      issued += 1;
      const result = await httpGet(port, target);
      if (result.ok) latencies.push(result.ms);
      else errors[result.error] = (errors[result.error] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - started;
  return { requests: latencies.length, errors, elapsedMs, requestsPerSecond: (latencies.length * 1000) / elapsedMs, latencies };
}
