// An experiment's own network world, as the lab's deployment asks ("two machines joined by a switch"):
// a server host and a client host, each its own network namespace, joined through a bridge in a third
// namespace that is also the "Internet" host (origins, mail servers, the world's DNS server). Addresses
// come from 192.0.2.0/24 (TEST-NET-1, documentation only) and exist only inside the namespaces, so a
// program hard-coding port 12000 or binding port 80 collides with nobody, and nothing it sends leaves
// the machine. Host names `server` and `client` resolve from /etc/netns/NS/hosts (bind-mounted by
// `ip netns exec`); every other name is answered by the world's DNS server (world-dns.ts).
// Names carry socklab's prefix and the harness's pid, so a startup sweep removes what a crashed run
// left, and only that.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { AgentNetwork } from './agent-network.js';

export const NAMESPACE_PREFIX = 'socklab-';
export const SERVER_ADDRESS = '192.0.2.1';
export const CLIENT_ADDRESS = '192.0.2.2';
export const INTERNET_ADDRESS = '192.0.2.3';
const PREFIX_LENGTH = 24;

export type HostName = 'server' | 'client' | 'internet';

export interface WorldHost {
  name: HostName;
  namespace: string;
  address: string;
  /** The host's link where a capture sees its traffic: its veth end (server, client), or the bridge (internet: every frame of the world; its own address is on a veth plugged into the bridge). */
  device: string;
}

let counter = 0;
let availability: Promise<string | null> | undefined;

/** Why namespaces cannot be made here (not root, no iproute2), or null when they can. Asked once per process. */
export function namespacesUnavailable(): Promise<string | null> {
  availability ??= (async () => {
    if (process.platform !== 'linux') return `network namespaces need Linux, not ${process.platform}`;
    if (process.getuid?.() !== 0) return 'network namespaces need root (run socklab as root)';
    const ip = await execa('ip', ['netns', 'list'], { reject: false });
    if (ip.failed) return `ip netns is not available (${ip.code === 'ENOENT' ? 'install iproute2: apt-get install iproute2' : ip.stderr.trim() || ip.shortMessage})`;
    return null;
  })();
  return availability;
}

export class World {
  private readonly agents = new Map<HostName, Promise<AgentNetwork>>();
  private destroyed = false;

  private constructor(
    readonly id: string,
    readonly hosts: Record<HostName, WorldHost>,
  ) {}

  /** Makes the three hosts and the switch between them. */
  static async create(): Promise<World> {
    const id = `${process.pid}-${counter++}`;
    const host = (name: HostName, address: string, device: string): WorldHost => ({ name, namespace: `${NAMESPACE_PREFIX}${id}-${name[0]}`, address, device });
    const world = new World(id, { server: host('server', SERVER_ADDRESS, 'eth0'), client: host('client', CLIENT_ADDRESS, 'eth0'), internet: host('internet', INTERNET_ADDRESS, 'br0') });
    try {
      await world.build();
    } catch (error) {
      await world.destroy();
      throw error;
    }
    return world;
  }

  /** Sockets on `host`, made by an agent inside its namespace (started on first use). */
  network(host: HostName): Promise<AgentNetwork> {
    let agent = this.agents.get(host);
    if (!agent) {
      agent = AgentNetwork.start(this.hosts[host].namespace, `the ${host} host (${this.hosts[host].address})`);
      this.agents.set(host, agent);
    }
    return agent;
  }

  /** Removes the namespaces (and with them every link, address and rule) and the agents. Safe to call twice. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await Promise.all([...this.agents.values()].map((agent) => agent.then((started) => started.stop()).catch(() => undefined)));
    await Promise.all(Object.values(this.hosts).map((host) => deleteNamespace(host.namespace)));
  }

  private async build(): Promise<void> {
    const { server, client, internet } = this.hosts;
    await ipBatch(null, [server, client, internet].map((host) => `netns add ${host.namespace}`));
    await Promise.all([server, client].map((host) => writeNetnsFiles(host.namespace)));
    // Each veth is made directly inside its two namespaces, so its names need be unique only there.
    // Its two ends get different interface numbers: the kernel takes a link whose peer has its own
    // number for an unstacked one and activates it up to a second late (until then it drops what is
    // sent: a first ARP request lost, the first packet a second late). A bridge is activated as late,
    // so the Internet host's address is not on the bridge but on a veth of its own plugged into it
    // (eth0, its port vi): what it sends never goes through the bridge's own queue.
    // The bridge's ports: one per host (vs, vc), and vi for the Internet host's own veth.
    const port = (host: WorldHost) => `v${host.name[0]}`;
    const ports = [port(server), port(client), 'vi'];
    await ipBatch(null, [
      ...[server, client].map((host, index) => `link add ${host.device} netns ${host.namespace} index ${10 + index} type veth peer name ${port(host)} netns ${internet.namespace} index ${20 + index}`),
      `link add eth0 netns ${internet.namespace} index 12 type veth peer name vi netns ${internet.namespace} index 22`,
    ]);
    // The world speaks IPv4. Its links get no IPv6 link-local address (addrgenmode none), so that
    // coming up they send no router solicitations, duplicate-address probes or multicast listener
    // reports, and the bridge does no multicast snooping (which joins groups with IGMP and MLD): a
    // capture shows the experiment's own traffic, as on the student's switch.
    await Promise.all([
      ipBatch(internet.namespace, [
        'link set lo up',
        `link add ${internet.device} type bridge mcast_snooping 0`,
        `link set ${internet.device} addrgenmode none`,
        `link set ${internet.device} up`,
        ...ports.flatMap((name) => [`link set ${name} addrgenmode none`, `link set ${name} master ${internet.device}`, `link set ${name} up`]),
        'link set eth0 addrgenmode none',
        `addr add ${internet.address}/${PREFIX_LENGTH} dev eth0`,
        'link set eth0 up',
      ]),
      ...[server, client].map((host) =>
        ipBatch(host.namespace, [
          'link set lo up',
          `link set ${host.device} addrgenmode none`,
          `addr add ${host.address}/${PREFIX_LENGTH} dev ${host.device}`,
          `link set ${host.device} up`,
          `route add default via ${internet.address}`,
        ]),
      ),
      // A web server hard-coded to port 80 binds it as it would on the student's own machine, even
      // when it runs as an unprivileged user: on these hosts every port is an ordinary one.
      ...[server, client].map((host) => execa('ip', ['netns', 'exec', host.namespace, 'sysctl', '-qw', 'net.ipv4.ip_unprivileged_port_start=0'])),
    ]);
    // The bridge itself forwards whatever its own state: it is not waited for.
    await linksUp([
      [server.namespace, [server.device]],
      [client.namespace, [client.device]],
      [internet.namespace, ['eth0', ...ports]],
    ]);
  }
}

/** Removes namespaces that socklab runs which are no longer alive left behind (by prefix and pid only). */
export async function sweepStaleNamespaces(): Promise<string[]> {
  const listing = await execa('ip', ['netns', 'list'], { reject: false });
  if (listing.failed) return [];
  const stale: string[] = [];
  for (const line of listing.stdout.split('\n')) {
    const name = line.split(' ')[0];
    const match = new RegExp(`^${NAMESPACE_PREFIX}(\\d+)-\\d+-[sci]$`).exec(name);
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

/** How long a new world's links may take to carry packets before it is used anyway. */
const LINKS_UP_MS = 3000;

/**
 * Waits until every link is operationally up. A link set up is not yet carrying packets: the kernel
 * activates its queue (until then it drops what is sent) when its link-state work runs, up to a second
 * later. A first ARP request dropped there costs the experiment's first packet a second (the ARP
 * retry), at random; once the links say UP, none is.
 */
async function linksUp(links: Array<[string, string[]]>): Promise<void> {
  const deadline = performance.now() + LINKS_UP_MS;
  let waiting = links;
  while (waiting.length > 0 && performance.now() < deadline) {
    const states = await Promise.all(waiting.map(([namespace]) => execa('ip', ['-n', namespace, '-o', 'link', 'show'], { reject: false })));
    waiting = waiting.filter((_, index) => {
      const up = new Set(states[index].stdout.split('\n').flatMap((line) => (/ state UP /.test(line) ? [/^\d+: ([^:@]+)/.exec(line)?.[1] ?? ''] : [])));
      return !waiting[index][1].every((device) => up.has(device));
    });
    if (waiting.length > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs `commands` in one `ip -batch`, in `namespace` (or the harness's own when null). */
async function ipBatch(namespace: string | null, commands: string[]): Promise<void> {
  const args = [...(namespace ? ['-n', namespace] : []), '-batch', '-'];
  const result = await execa('ip', args, { input: `${commands.join('\n')}\n`, reject: false });
  if (result.failed) throw new Error(`ip ${args.join(' ')} failed: ${result.stderr.trim() || result.shortMessage}\n${commands.join('\n')}`);
}

async function deleteNamespace(namespace: string): Promise<void> {
  await execa('ip', ['netns', 'delete', namespace], { reject: false });
  await rm(`/etc/netns/${namespace}`, { recursive: true, force: true }).catch(() => undefined);
}

/** The files `ip netns exec` mounts over /etc: the hosts' names, and the world's DNS server. */
async function writeNetnsFiles(namespace: string): Promise<void> {
  await mkdir(`/etc/netns/${namespace}`, { recursive: true });
  await writeFile(`/etc/netns/${namespace}/hosts`, `127.0.0.1 localhost\n${SERVER_ADDRESS} server\n${CLIENT_ADDRESS} client\n`);
  // One quick try: the world's DNS server answers at once, or not at all.
  await writeFile(`/etc/netns/${namespace}/resolv.conf`, `nameserver ${INTERNET_ADDRESS}\noptions timeout:1 attempts:1\n`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
