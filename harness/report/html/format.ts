// Times as the report writes them.

/** Packet times: `0.040 ms` below a millisecond (loopback handshakes are that fast), `12.4 ms`, `1.250 s`. */
export function formatTime(ms: number): string {
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  // 999.96 ms would round to "1000.0 ms": switch units on the rounded value.
  return ms < 999.95 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(3)} s`;
}

/** `2025-03-01 10:00:00 UTC`; anything that is not a date is shown as given. */
export function readableTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
