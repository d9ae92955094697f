// Destination interception inside one host of a world: connections and datagrams a program sends to a
// hard-coded destination (localhost:12000, the book's port on any address, an origin's port 80) are
// delivered to the experiment's own server or fixture, with iptables DNAT in that host's namespace
// (never outside the world). Loopback destinations need route_localnet and a masquerade on the way
// out. Each rule carries a comment naming what it catches, and its counter says how many connections
// (or UDP flows) it caught: that is how the report can say "it connected to X, socklab delivered it to Y".
import { execa } from 'execa';

/** Where a caught connection was going (`any`: only counted, never redirected: a watch). */
export type CaughtDestination = 'loopback' | 'other-address' | 'the-given-port' | 'any';

export interface Redirect {
  protocol: 'tcp' | 'udp';
  /** The destination port it catches. */
  port: number;
  /** loopback: 127.0.0.0/8; other-address: anything but the target's address; the-given-port: the target's address itself. */
  match: CaughtDestination;
  /** Where it is delivered; null for a watch, which only counts connections (to any address, or to loopback only) and lets them go where they were going. */
  to: { address: string; port: number } | null;
  /** What it delivers to, for reports: `tcp-server`, `origin`. */
  service: string;
  /** For a watch: the port the service really listens on (what the program should have used). */
  servicePort?: number;
  /** The destination is the port the service was given, which it does not listen on: the server's doing, not the client's. */
  serverMoved?: boolean;
}

export interface CaughtConnections {
  redirect: Redirect;
  /** Connections (TCP) or flows (UDP) caught since the last reading. */
  count: number;
}

const CHAIN = 'SOCKLAB';
/** Incoming connections for services that listen on loopback only (they would be unreachable otherwise). */
const INBOUND_CHAIN = 'SOCKLAB_IN';

export class Interception {
  private redirects: Redirect[] = [];
  /** Counter values at the last reading, by rule key. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly namespace: string) {}

  /** The chain, its jump from OUTPUT, and what loopback destinations need to leave the host. */
  async install(): Promise<void> {
    await exec(this.namespace, ['sysctl', '-qw', 'net.ipv4.conf.all.route_localnet=1']);
    await restore(this.namespace, [
      '*nat',
      `:${CHAIN} - [0:0]`,
      `:${INBOUND_CHAIN} - [0:0]`,
      `-A OUTPUT -j ${INBOUND_CHAIN}`,
      `-A OUTPUT -j ${CHAIN}`,
      `-A PREROUTING -j ${INBOUND_CHAIN}`,
      '-A POSTROUTING -s 127.0.0.0/8 ! -o lo -j MASQUERADE',
      'COMMIT',
    ]);
  }

  /**
   * Connections to this host's `address` at these ports (from other hosts, or from socklab's own
   * relay here) are delivered to 127.0.0.1: a server that binds localhost only works as it would in
   * two terminals on one host.
   */
  async deliverToLoopback(address: string, services: Array<{ protocol: 'tcp' | 'udp'; port: number }>): Promise<void> {
    const rules = services.map(({ protocol, port }) => `-A ${INBOUND_CHAIN} -d ${address}/32 -p ${protocol} -m ${protocol} --dport ${port} -j DNAT --to-destination 127.0.0.1:${port}`);
    await restore(this.namespace, ['*nat', `:${INBOUND_CHAIN} - [0:0]`, ...rules, 'COMMIT'], true);
  }

  /** Replaces the rules (a server's real port became known, a fixture started). Counts so far are kept. */
  async set(redirects: Redirect[]): Promise<void> {
    await this.read();
    this.redirects = redirects;
    await restore(this.namespace, ['*nat', `:${CHAIN} - [0:0]`, ...redirects.map(ruleOf), 'COMMIT'], true);
    // New rules start from zero.
    for (const redirect of redirects) this.seen.set(keyOf(redirect), 0);
  }

  /** What the rules caught since the last call. */
  async caught(): Promise<CaughtConnections[]> {
    const counters = await this.read();
    return this.redirects.flatMap((redirect) => {
      const key = keyOf(redirect);
      const count = (counters.get(key) ?? 0) - (this.seen.get(key) ?? 0);
      this.seen.set(key, counters.get(key) ?? 0);
      return count > 0 ? [{ redirect, count }] : [];
    });
  }

  /** Current counters by rule key. */
  private async read(): Promise<Map<string, number>> {
    const counters = new Map<string, number>();
    if (this.redirects.length === 0) return counters;
    const saved = await exec(this.namespace, ['iptables-save', '-c', '-t', 'nat']);
    for (const line of saved.split('\n')) {
      const match = /^\[(\d+):\d+\] -A SOCKLAB .*--comment "?(socklab:[^" ]+)"?/.exec(line);
      if (match) counters.set(match[2], Number(match[1]));
    }
    return counters;
  }
}

function keyOf(redirect: Redirect): string {
  const to = redirect.to ? `${redirect.to.address}:${redirect.to.port}` : 'watch';
  return `socklab:${redirect.protocol}:${redirect.port}:${redirect.match}:${to}`;
}

function ruleOf(redirect: Redirect): string {
  const start = `-A ${CHAIN} -p ${redirect.protocol}`;
  const end = `-m ${redirect.protocol} --dport ${redirect.port} -m comment --comment ${keyOf(redirect)}`;
  if (!redirect.to) return `${start}${redirect.match === 'loopback' ? ' -d 127.0.0.0/8' : ''} ${end} -j RETURN`;
  // Rules are checked in order and a DNAT ends the search: each port's loopback rule comes before its
  // other-address rule, which therefore needs to exclude only the target's own address.
  const destination = { loopback: '-d 127.0.0.0/8', 'other-address': `! -d ${redirect.to.address}/32`, 'the-given-port': `-d ${redirect.to.address}/32`, any: '' }[redirect.match];
  return `${start} ${destination} ${end} -j DNAT --to-destination ${redirect.to.address}:${redirect.to.port}`;
}

async function restore(namespace: string, lines: string[], keepOthers = false): Promise<void> {
  const args = ['netns', 'exec', namespace, 'iptables-restore', ...(keepOthers ? ['--noflush'] : [])];
  const result = await execa('ip', args, { input: `${lines.join('\n')}\n`, reject: false });
  if (result.failed) throw new Error(`iptables-restore in ${namespace} failed: ${result.stderr.trim() || result.shortMessage}\n${lines.join('\n')}`);
}

async function exec(namespace: string, command: string[]): Promise<string> {
  const result = await execa('ip', ['netns', 'exec', namespace, ...command], { reject: false });
  if (result.failed) throw new Error(`${command.join(' ')} in ${namespace} failed: ${result.stderr.trim() || result.shortMessage}`);
  return result.stdout;
}

/** Why interception cannot work here (no iptables), or null. */
export async function interceptionUnavailable(): Promise<string | null> {
  const result = await execa('iptables', ['--version'], { reject: false });
  return result.failed ? 'iptables is not installed (apt-get install iptables)' : null;
}
