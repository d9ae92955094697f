// What keeps the event loop alive, counted by type (process.getActiveResourcesInfo()), to find what the
// tests left open: a server, a socket, a child process, a timer. Counts are compared with a baseline
// taken before the first test, so that what mocha and the stdio streams hold themselves is not a leak.

export type ResourceCounts = Map<string, number>;

export function activeResources(): ResourceCounts {
  const counts: ResourceCounts = new Map();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** What is open now beyond `baseline`, e.g. `["2 × TCPServerWrap", "1 × ProcessWrap"]`; empty when nothing. */
export function resourcesBeyond(baseline: ResourceCounts): string[] {
  return [...activeResources()].filter(([type, count]) => count > (baseline.get(type) ?? 0)).map(([type, count]) => `${count - (baseline.get(type) ?? 0)} × ${type}`);
}

/**
 * Waits up to `ms` for what is open beyond `baseline` to close (a server's close() and a killed child's exit
 * finish a little after the test that started them), and returns what is still open then.
 */
export async function leakedResources(baseline: ResourceCounts, ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    // Counted outside the timer's own callback: the timer of this wait is not open any more.
    const leaked = resourcesBeyond(baseline);
    if (leaked.length === 0 || Date.now() >= deadline) return leaked;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
