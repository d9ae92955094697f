// What tcpdump says on stderr, read for the person running socklab. A missing program or missing
// permission means capture cannot happen on this machine ("skipped", with how to fix it); anything
// else is a fault of this particular capture ("failed").

export const TCPDUMP_NOT_FOUND = 'tcpdump not found: install it (apt-get install tcpdump)';

export interface TcpdumpTrouble {
  status: 'skipped' | 'failed';
  reason: string;
}

/** Reads tcpdump's stderr after it exited without capturing; undefined when nothing is recognised. */
export function tcpdumpTrouble(stderr: string, file: string): TcpdumpTrouble | undefined {
  const lines = stderr.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  // Trouble with the output file names the file; it is never about capture permissions.
  const fileLine = lines.find((line) => line.includes(file));
  if (fileLine) return { status: 'failed', reason: `tcpdump cannot write the capture file: ${fileLine}` };
  const permission = lines.find((line) => /Operation not permitted|You don't have permission|Permission denied/i.test(line));
  if (permission) {
    return {
      status: 'skipped',
      reason:
        `tcpdump may not capture here (${permission}): run socklab as root, or give tcpdump the capability ` +
        '(sudo setcap cap_net_raw,cap_net_admin=eip "$(command -v tcpdump)")',
    };
  }
  // `ip netns exec` reports a program it cannot find instead of failing to start itself.
  if (lines.some((line) => /exec of .* failed: No such file or directory/.test(line))) return { status: 'skipped', reason: TCPDUMP_NOT_FOUND };
  const noDevice = lines.find((line) => /No such device|doesn't exist/i.test(line));
  if (noDevice) return { status: 'failed', reason: `tcpdump cannot capture on that interface: ${noDevice}` };
  return undefined;
}

/** A number from tcpdump's closing statistics, e.g. `(\d+) packets? captured`; 0 when absent. */
export function statistic(stderr: string, pattern: RegExp): number {
  const match = pattern.exec(stderr);
  return match ? Number(match[1]) : 0;
}

/** `: <last line>` for appending to a reason, or nothing when tcpdump said nothing. */
export function lastLine(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  return lines.length > 0 ? `: ${lines.at(-1)}` : '';
}

export function describeExit(exit: { code: number | null; signal: string | null }): string {
  return exit.code !== null ? `exit code ${exit.code}` : exit.signal ? `signal ${exit.signal}` : 'could not start';
}
