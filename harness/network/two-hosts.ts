// Two test hosts for one experiment, as the lab's deployment asks ("two machines"): a server host and
// a client host, each its own network namespace, joined by a veth pair with addresses from
// 192.0.2.0/24 (TEST-NET-1, documentation-only) that exist only inside the namespaces. Hostnames
// `server` and `client` resolve inside them (ip netns exec mounts /etc/netns/NAME/hosts).
// Names carry socklab's prefix and the harness's pid, so a startup sweep can remove what a crashed
// run left, and only that.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { execa } from 'execa';

export const NAMESPACE_PREFIX = 'socklab-';
export const SERVER_ADDRESS = '192.0.2.1';
export const CLIENT_ADDRESS = '192.0.2.2';

export interface HostSide {
  namespace: string;
  address: string;
  device: string;
}

export interface TwoHosts {
  server: HostSide;
  client: HostSide;
  destroy(): Promise<void>;
}

let counter = 0;

let availability: Promise<string | null> | undefined;

/** Why namespaces cannot be made here (not root, no iproute2), or null when they can. Asked once per process. */
export function namespacesUnavailable(): Promise<string | null> {
  availability ??= (async () => {
    if (process.getuid?.() !== 0) return 'network namespaces need root (run socklab as root, or without --isolate)';
    const ip = await execa('ip', ['netns', 'list'], { reject: false });
    if (ip.failed) return `ip netns is not available (${ip.code === 'ENOENT' ? 'install iproute2: apt-get install iproute2' : ip.stderr.trim() || ip.shortMessage})`;
    return null;
  })();
  return availability;
}

export async function createTwoHosts(): Promise<TwoHosts> {
  const id = `${process.pid}-${counter++}`;
  const server: HostSide = { namespace: `${NAMESPACE_PREFIX}${id}-s`, address: SERVER_ADDRESS, device: shortDevice(id, 's') };
  const client: HostSide = { namespace: `${NAMESPACE_PREFIX}${id}-c`, address: CLIENT_ADDRESS, device: shortDevice(id, 'c') };
  const destroy = async () => {
    await Promise.all([deleteNamespace(server.namespace), deleteNamespace(client.namespace)]);
  };
  try {
    for (const side of [server, client]) {
      await ip(['netns', 'add', side.namespace]);
      await writeHosts(side.namespace);
    }
    await ip(['link', 'add', server.device, 'type', 'veth', 'peer', 'name', client.device]);
    for (const side of [server, client]) {
      await ip(['link', 'set', side.device, 'netns', side.namespace]);
      await ip(['-n', side.namespace, 'addr', 'add', `${side.address}/24`, 'dev', side.device]);
      await ip(['-n', side.namespace, 'link', 'set', side.device, 'up']);
      await ip(['-n', side.namespace, 'link', 'set', 'lo', 'up']);
    }
  } catch (error) {
    await destroy();
    throw error;
  }
  return { server, client, destroy };
}

/** Removes namespaces that socklab runs which are no longer alive left behind (by prefix and pid only). */
export async function sweepStaleNamespaces(): Promise<string[]> {
  const listing = await execa('ip', ['netns', 'list'], { reject: false });
  if (listing.failed) return [];
  const stale: string[] = [];
  for (const line of listing.stdout.split('\n')) {
    const name = line.split(' ')[0];
    const match = new RegExp(`^${NAMESPACE_PREFIX}(\\d+)-\\d+-[sc]$`).exec(name);
    if (!match || isAlive(Number(match[1]))) continue;
    await deleteNamespace(name);
    stale.push(name);
  }
  return stale;
}

/** `ip netns exec NS …` in front of a command: the program then lives on that host. */
export function inNamespace(namespace: string, command: string[]): string[] {
  return ['ip', 'netns', 'exec', namespace, ...command];
}

async function ip(args: string[]): Promise<void> {
  const result = await execa('ip', args, { reject: false });
  if (result.failed) throw new Error(`ip ${args.join(' ')} failed: ${result.stderr.trim() || result.shortMessage}`);
}

async function deleteNamespace(namespace: string): Promise<void> {
  await execa('ip', ['netns', 'delete', namespace], { reject: false });
  await rm(`/etc/netns/${namespace}`, { recursive: true, force: true }).catch(() => undefined);
}

async function writeHosts(namespace: string): Promise<void> {
  await mkdir(`/etc/netns/${namespace}`, { recursive: true });
  await writeFile(`/etc/netns/${namespace}/hosts`, `127.0.0.1 localhost\n${SERVER_ADDRESS} server\n${CLIENT_ADDRESS} client\n`);
}

/** veth names are limited to 15 characters. */
function shortDevice(id: string, side: 's' | 'c'): string {
  return `sl${id.replace('-', 'x')}${side}`.slice(-15);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
