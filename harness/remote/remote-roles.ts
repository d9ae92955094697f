// The run's roles on other machines, settled before any experiment starts: `--remote` roles (started
// by hand: an address and a port) and `--ssh` roles (one SSH connection per machine, opened here, so
// that an unreachable machine or a refused key stops the run at once, in one line, exit 3). The
// options themselves are checked against the lab first (commands/remote-deployment.ts).
import type { RemoteRoleDeployment } from '../model/deployment.js';
import { isIP } from 'node:net';
import { EXIT_CODES, SocklabError } from '../errors.js';
import { addressOf, localAddressToward } from './local-address.js';
import type { HandStartedRequest, SshRequest } from './remote-options.js';
import { SshConnectError, SshConnection, type SshSettings } from './ssh-connection.js';

export interface HandStartedRole {
  startedBy: 'hand';
  role: string;
  /** The address it is reached at (the name given, resolved). */
  host: string;
  port: number;
  /** This machine's address toward it. */
  localAddress: string;
}

export interface SshRole {
  startedBy: 'ssh';
  role: string;
  /** The address socklab reaches the machine at: the one given, or the one the SSH connection arrived at. */
  host: string;
  connection: SshConnection;
  localAddress: string;
}

export type RemoteRole = HandStartedRole | SshRole;

export interface RemoteRolesRequest {
  remote: HandStartedRequest[];
  ssh: SshRequest[];
  settings: SshSettings;
}


/** Commands socklab needs on a machine it starts programs on. */
const NEEDED_THERE = ['setsid', 'tar', 'mktemp'] as const;

export class RemoteRoles {
  private constructor(private readonly roles: Map<string, RemoteRole>) {}

  /** No role anywhere else: every program on this machine. */
  static none(): RemoteRoles {
    return new RemoteRoles(new Map());
  }

  /** `reference`: the roles played by socklab's reference programs (run by `node`, which must then be there). */
  static async open(request: RemoteRolesRequest, reference: readonly string[]): Promise<RemoteRoles> {
    const roles = new Map<string, RemoteRole>();
    for (const { role, host, port } of request.remote) {
      const address = await addressOf(host).catch((error: NodeJS.ErrnoException) => unreachable(`--remote ${role}=${host}:${port}`, `cannot resolve ${host} (${error.code ?? error.message})`));
      const localAddress = await localAddressToward(address).catch((error: NodeJS.ErrnoException) => unreachable(`--remote ${role}=${host}:${port}`, `no route from this machine to ${address} (${error.code ?? error.message})`));
      roles.set(role, { startedBy: 'hand', role, host: address, port, localAddress });
    }
    // One connection per machine, however many roles it plays; all machines at once.
    const byDestination = new Map<string, SshRequest[]>();
    for (const ssh of request.ssh) {
      const destination = ssh.user ? `${ssh.user}@${ssh.host}` : ssh.host;
      byDestination.set(destination, [...(byDestination.get(destination) ?? []), ssh]);
    }
    const opened = await Promise.allSettled(
      [...byDestination.values()].map(async (requests) => {
        const [{ user, host }] = requests;
        const connection = await SshConnection.open({ user, host }, request.settings);
        return { requests, connection };
      }),
    );
    const connections = opened.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value.connection] : []));
    const failure = opened.findIndex((outcome) => outcome.status === 'rejected');
    if (failure >= 0) {
      await Promise.all(connections.map((connection) => connection.close()));
      const requests = [...byDestination.values()][failure];
      const reason = (opened[failure] as PromiseRejectedResult).reason as unknown;
      const option = requests.map((ssh) => `--ssh ${ssh.role}=${ssh.user ? `${ssh.user}@` : ''}${ssh.host}`).join(', ');
      unreachable(option, `cannot connect: ${reason instanceof SshConnectError || reason instanceof Error ? reason.message : String(reason)}`);
    }
    const remoteRoles = new RemoteRoles(roles);
    try {
      for (const outcome of opened) {
        if (outcome.status !== 'fulfilled') continue;
        const { requests, connection } = outcome.value;
        const { facts } = connection;
        for (const { role, host } of requests) {
          const missing = [...NEEDED_THERE, ...(reference.includes(role) ? (['node'] as const) : [])].filter((tool) => !facts.tools.has(tool));
          if (missing.length) unreachable(`--ssh ${role}=${connection.destination}`, `${missing.join(', ')} not found on ${facts.hostName}${missing.includes('node') ? ` (socklab's reference ${role} needs Node.js there; or play the role with a program of your own: --role, --submission)` : ''}`);
          const address = isIP(host) ? host : facts.remoteAddress || (await addressOf(host));
          roles.set(role, { startedBy: 'ssh', role, host: address, connection, localAddress: facts.localAddress || (await localAddressToward(address)) });
        }
      }
    } catch (error) {
      await Promise.all(connections.map((connection) => connection.close()));
      throw error;
    }
    return remoteRoles;
  }

  get size(): number {
    return this.roles.size;
  }

  get(role: string): RemoteRole | undefined {
    return this.roles.get(role);
  }

  /** The role's deployment, as the result model records it. */
  describe(role: string): RemoteRoleDeployment | undefined {
    const remote = this.roles.get(role);
    if (!remote) return undefined;
    if (remote.startedBy === 'hand') return { role, startedBy: 'hand', host: remote.host, port: remote.port };
    const { facts } = remote.connection;
    return { role, startedBy: 'ssh', host: remote.host, user: facts.user, hostName: facts.hostName };
  }

  /** Ends every SSH connection: whatever still runs through one is stopped there by its watcher. */
  async close(): Promise<void> {
    const connections = new Set([...this.roles.values()].flatMap((role) => (role.startedBy === 'ssh' ? [role.connection] : [])));
    await Promise.all([...connections].map((connection) => connection.close()));
  }
}

function unreachable(option: string, reason: string): never {
  throw new SocklabError('REMOTE_UNREACHABLE', `${option}: ${reason}`, EXIT_CODES.harnessError);
}
