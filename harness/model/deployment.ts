// How an experiment was deployed, as evidence: the handout asks for each task on one host, on two
// (virtual) machines, or on two machines joined by a cable, and a report is only worth what it says
// about where its programs ran. Every report shows an experiment's deployment.

/**
 * `one-host`: every program on this machine, in its own network (127.0.0.1).
 * `two-namespaces`: on this machine, in the experiment's own world: a network namespace per host.
 * `remote`: some roles on another machine (`remote` says which, where and how), the rest on this one.
 */
export type DeploymentKind = 'one-host' | 'two-namespaces' | 'remote';

export interface Deployment {
  kind: DeploymentKind;
  /**
   * One line for people: `one host: every program on this machine (127.0.0.1)`,
   * `two machines: tcp-server on root@198.51.100.2 (host lab-pc), started by socklab over SSH; …`.
   */
  summary: string;
  /** The roles on other machines (kind `remote`). */
  remote?: RemoteRoleDeployment[];
  /** This machine's address as the other machines see it (kind `remote`). */
  localAddress?: string;
}

export interface RemoteRoleDeployment {
  role: string;
  /**
   * `ssh`: socklab copied the program there, started, stopped and watched it over SSH.
   * `hand`: it was already running there, started by hand; socklab only reached it, so its output and
   * exit status are not observable.
   */
  startedBy: 'ssh' | 'hand';
  /** The address socklab reached it at. */
  host: string;
  /** `hand`: the port it was said to listen on. */
  port?: number;
  /** `ssh`: the user it ran as. */
  user?: string;
  /** `ssh`: the machine's own name (`uname -n` there). */
  hostName?: string;
}
