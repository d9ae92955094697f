// An experiment's deployment, in the words every report uses: where each role it launched ran.
import type { Deployment, RemoteRoleDeployment } from '../model/deployment.js';
import type { Topology } from './experiment-plan.js';

export interface DeploymentFacts {
  topology: Topology;
  hosts: { server: string; client: string; internet: string };
  /** The roles it launches, and those of them on other machines. */
  roles: string[];
  remote: RemoteRoleDeployment[];
  /** This machine's address toward the other machines. */
  localAddress?: string;
}

export function describeDeployment(facts: DeploymentFacts): Deployment {
  if (facts.remote.length === 0) {
    if (facts.topology === 'two-hosts') {
      const { server, client, internet } = facts.hosts;
      return { kind: 'two-namespaces', summary: `two hosts on this machine, each its own network namespace: server ${server}, client ${client} (Internet ${internet})` };
    }
    return { kind: 'one-host', summary: `one host: every program on this machine (${facts.hosts.server})` };
  }
  const elsewhere = facts.remote.map(describeRemoteRole);
  const here = facts.roles.filter((role) => !facts.remote.some((remote) => remote.role === role));
  const machines = new Set(facts.remote.map((remote) => remote.host)).size + 1;
  const local = here.length ? `; ${here.join(', ')} on this machine (${facts.localAddress ?? 'its own address'})` : '';
  return {
    kind: 'remote',
    summary: `${machines === 2 ? 'two' : machines} machines: ${elsewhere.join('; ')}${local}`,
    remote: facts.remote,
    ...(facts.localAddress ? { localAddress: facts.localAddress } : {}),
  };
}

function describeRemoteRole(remote: RemoteRoleDeployment): string {
  if (remote.startedBy === 'hand') return `${remote.role} at ${remote.host}:${remote.port}, started by hand (socklab did not start it and cannot see its output or exit status)`;
  return `${remote.role} on ${remote.user}@${remote.host} (host ${remote.hostName}), started by socklab over SSH`;
}
