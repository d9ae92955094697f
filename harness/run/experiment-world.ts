// One experiment's world while it runs: the namespaces (network/world.ts), its DNS server, and the
// interception rules, kept in step with the services that start listening. After each step it says
// what the world saw of that step's host: the names looked up there and the connections to hard-coded
// destinations that were delivered elsewhere.
import type { WorldEvents } from '../model/result.js';
import { Interception, type Redirect } from '../network/interception.js';
import { World, type HostName } from '../network/world.js';
import { WorldDns } from '../network/world-dns.js';
import type { HostNetwork } from '../network/host-network.js';
import type { OfferedService } from '../steps/step-kind.js';

const DNS_PORT = 53;

/** The world made ahead for the next experiment (take). */
let spare: Promise<ExperimentWorld> | null = null;

export class ExperimentWorld {
  private readonly services: OfferedService[] = [];
  /** Host names fixtures answer at (an origin's `www.example.test`), lower-cased → address. */
  private readonly names = new Map<string, string>();
  /** Where interception rules apply: the hosts programs and probes send from. */
  private readonly interceptions: Partial<Record<HostName, Interception>> = {};
  private dns: WorldDns | null = null;
  private lookupsSeen = 0;

  private constructor(readonly world: World) {}

  static async create(interceptionProblem: string | null): Promise<ExperimentWorld> {
    const world = await World.create();
    const running = new ExperimentWorld(world);
    try {
      if (interceptionProblem === null) {
        for (const host of ['client', 'server'] as const) running.interceptions[host] = new Interception(world.hosts[host].namespace);
      }
      await Promise.all([...Object.values(running.interceptions).map((interception) => interception.install()), running.startDns()]);
    } catch (error) {
      await running.destroy();
      throw error;
    }
    return running;
  }

  /**
   * A fresh world for the next experiment. Making one takes a few hundred milliseconds (namespaces,
   * rules, and the Internet host's agent, a node process), so while one is in use the next is made in
   * the background: worlds are never reused, only made ahead. The run disposes of the last one
   * (disposeSpare); its agents end by themselves when socklab does.
   */
  static take(interceptionProblem: string | null): Promise<ExperimentWorld> {
    const ready = spare ?? ExperimentWorld.create(interceptionProblem);
    spare = ExperimentWorld.create(interceptionProblem);
    // A spare that failed is made again when it is taken; its error belongs to that experiment.
    spare.catch(() => undefined);
    return ready;
  }

  /** Removes the world made ahead (the run is over). */
  static async disposeSpare(): Promise<void> {
    const left = spare;
    spare = null;
    await left?.then((world) => world.destroy(), () => undefined);
  }

  get namespaces(): Record<HostName, string> {
    const { server, client, internet } = this.world.hosts;
    return { server: server.namespace, client: client.namespace, internet: internet.namespace };
  }

  network(host: HostName): Promise<HostNetwork> {
    return this.world.network(host);
  }

  /** A service started listening: hard-coded destinations of its protocol now reach it. */
  async offer(service: OfferedService): Promise<void> {
    // A service offered again (its real port became known) replaces what the plan said of it.
    const known = this.services.findIndex((candidate) => candidate.name === service.name);
    if (known >= 0) this.services.splice(known, 1);
    this.services.push(service);
    for (const name of service.names ?? []) this.names.set(name.toLowerCase(), this.world.hosts[service.host].address);
    const local = this.services.filter((candidate) => candidate.loopbackOnly && candidate.host === service.host);
    if (service.loopbackOnly) await this.interceptions[service.host]?.deliverToLoopback(this.world.hosts[service.host].address, local.map(({ protocol, actual }) => ({ protocol, port: actual })));
    const redirects = this.redirects();
    await Promise.all(
      Object.entries(this.interceptions).map(([host, interception]) =>
        interception.set(redirects.filter((redirect) => host === 'client' || this.hostOf(redirect) === 'internet')),
      ),
    );
  }

  /** What the world saw of `host` since the last call: names looked up, connections delivered elsewhere. */
  async observe(host: HostName): Promise<WorldEvents | undefined> {
    const address = this.world.hosts[host].address;
    const lookups = (this.dns?.lookups.slice(this.lookupsSeen) ?? []).filter((lookup) => lookup.from === address);
    this.lookupsSeen = this.dns?.lookups.length ?? 0;
    const caught = (await this.interceptions[host]?.caught()) ?? [];
    if (lookups.length === 0 && caught.length === 0) return undefined;
    const watched = caught.filter((entry) => entry.redirect.to === null && entry.redirect.match !== 'loopback');
    const undelivered = caught.filter((entry) => entry.redirect.to === null && entry.redirect.match === 'loopback');
    return {
      host,
      lookups: lookups.map(({ name, type, answer }) => ({ name, type, answer })),
      delivered: caught.flatMap(({ redirect, count }) =>
        redirect.to
          ? [{ protocol: redirect.protocol, asked: describeAsked(redirect), deliveredTo: `${redirect.service} (${redirect.to.address}:${redirect.to.port})`, connections: count, port: redirect.port, address: addressAsked(redirect), ...(redirect.serverMoved ? { serverMoved: true } : {}) }]
          : [],
      ),
      ...(watched.length ? { watched: watched.map(({ redirect, count }) => ({ protocol: redirect.protocol, port: redirect.port, service: redirect.service, servicePort: redirect.servicePort ?? 0, connections: count })) } : {}),
      ...(undelivered.length ? { undelivered: undelivered.map(({ redirect, count }) => ({ protocol: redirect.protocol, asked: describeAsked(redirect), port: redirect.port, service: redirect.service, connections: count })) } : {}),
    };
  }

  async destroy(): Promise<void> {
    this.dns?.close();
    await this.world.destroy();
  }

  private async startDns(): Promise<void> {
    const network = await this.world.network('internet');
    const socket = await network.bindUdp(this.world.hosts.internet.address, DNS_PORT);
    this.dns = new WorldDns(socket, { names: this.names, otherwise: (asker) => this.defaultAddress(asker) });
  }

  /**
   * A name no fixture claimed: a client's lookup finds the experiment's server when it has one (a
   * program on the server host), else the Internet host; the server's own lookups go to the Internet.
   * A strict experiment's server is reached only at its address: its client's names go to the Internet.
   */
  private defaultAddress(asker: string): string {
    const { server, internet } = this.world.hosts;
    const hasServer = this.services.some((service) => service.host === 'server' && !service.strict);
    return asker !== server.address && hasServer ? server.address : internet.address;
  }

  private hostOf(redirect: Redirect): HostName {
    const service = this.services.find((candidate) => candidate.name === redirect.service);
    return service?.host ?? 'server';
  }

  /**
   * For each service: its planned port and its hard-coded ports, on loopback or any other address,
   * and on its own address at the wrong port, all delivered to where it really listens. A port two
   * services of the same protocol could claim goes to the first.
   */
  private redirects(): Redirect[] {
    const claimed = new Set<string>();
    const redirects: Redirect[] = [];
    for (const service of this.services) {
      const address = this.world.hosts[service.host].address;
      for (const port of service.watch ?? []) {
        const key = `${service.protocol}:${port}`;
        if (claimed.has(key) || port === service.actual) continue;
        claimed.add(key);
        redirects.push({ protocol: service.protocol, port, match: 'any', to: null, service: service.name, servicePort: service.actual });
      }
      if (service.strict && service.planned === service.actual) {
        // Counted, not delivered: a program told the server's address that goes to localhost instead.
        const key = `${service.protocol}:${service.planned}:loopback`;
        if (!claimed.has(key)) redirects.push({ protocol: service.protocol, port: service.planned, match: 'loopback', to: null, service: service.name, servicePort: service.actual });
        claimed.add(key);
      }
      for (const port of new Set([service.planned, ...service.intercept, service.actual])) {
        const key = `${service.protocol}:${port}`;
        if (claimed.has(key) || (service.strict && port === service.planned && port === service.actual)) continue;
        claimed.add(key);
        const to = { address, port: service.actual };
        const base = { protocol: service.protocol, port, to, service: service.name };
        redirects.push({ ...base, match: 'loopback' }, { ...base, match: 'other-address' });
        if (port !== service.actual) redirects.push({ ...base, match: 'the-given-port', ...(port === service.planned ? { serverMoved: true } : {}) });
      }
    }
    return redirects;
  }
}

function addressAsked(redirect: Redirect): 'loopback' | 'other' | 'the-service' {
  return redirect.match === 'loopback' ? 'loopback' : redirect.match === 'the-given-port' ? 'the-service' : 'other';
}

function describeAsked(redirect: Redirect): string {
  if (redirect.match === 'loopback') return `localhost:${redirect.port}`;
  if (redirect.match === 'the-given-port' && redirect.to) return `${redirect.to.address}:${redirect.port}`;
  return `another address, port ${redirect.port}`;
}
