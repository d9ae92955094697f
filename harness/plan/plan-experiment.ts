// Spec → ExperimentPlan: decides where the experiment runs (loopback or two hosts), takes free ports
// and a temp folder, renders every template, and settles how each role is played. Nothing starts here;
// the plan holds the resources it took (ports, temp folder) until releasePlan.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RoleBinding, RoleTable } from '../lab/role-table.js';
import type { SandboxPolicy } from '../process/sandbox.js';
import { weightedPoints } from '../model/scoring.js';
import type { ExperimentSpec, SpecStep } from '../spec/spec-types.js';
import { collectPortNames, findTemplateReferences, portNameOf, renderDeep, renderTemplate, type TemplateValues } from '../spec/template.js';
import { stepKinds } from '../steps/registry.js';
import { CLIENT_ADDRESS, INTERNET_ADDRESS, SERVER_ADDRESS } from '../network/world.js';
import type { RemoteRole, RemoteRoles } from '../remote/remote-roles.js';
import { KEEP_ARGUMENT_TEMPLATES } from '../lab/role-arguments.js';
import { allocatePorts, releasePorts } from './allocate-ports.js';
import { describeDeployment } from './describe-deployment.js';
import { planInvocation } from './role-invocation.js';
import { containExperiment, releaseContainment, type Containment } from './contain-experiment.js';
import type { ExperimentPlan, PlannedCapture, PlannedRole, PlannedStep, Topology } from './experiment-plan.js';

const LOOPBACK = '127.0.0.1';

/**
 * The experiment cannot be checked where this run would place it: the spec requires a world
 * (`topology: two-hosts`) and none can be made here, or a fixture of socklab's would have to listen
 * on another machine. It is skipped, not failed.
 */
export class WorldUnavailableError extends Error {}

/** What planning needs to know about the run. */
export interface PlanEnvironment {
  roles: RoleTable;
  /** Per-tag weights from the lab file (`weights:`). */
  weights: Readonly<Record<string, number>>;
  /** The socklab installation folder (`{{root}}`). */
  root: string;
  fixturesDir: string;
  /**
   * Which experiments get their own world (network namespaces: a server, a client and an Internet host):
   * `required` only those whose spec asks (`topology: two-hosts`); `submissions` also every one that
   * runs a program of a submission (grade, --submission, --role); `all` every one (--isolate).
   */
  worlds: 'required' | 'submissions' | 'all';
  /** Confine the programs of a submission; undefined: off. */
  sandbox?: SandboxPolicy;
  /**
   * Submission folders (grade's working copy; run's --submission folder with --sandbox) whose programs
   * work in a copy of their own per experiment, so that nothing one experiment writes there reaches another.
   */
  copyPerExperiment?: string[];
  /** `--capture`: capture every experiment's packets. */
  captureAll?: boolean;
  /** Why network namespaces cannot be made here, or null; asked only when an experiment would use them. */
  namespacesUnavailable: () => Promise<string | null>;
  /** Roles on other machines (`--remote`, `--ssh`); none when absent. */
  remoteRoles?: RemoteRoles;
}

export async function planExperiment(spec: ExperimentSpec, environment: PlanEnvironment, tag: string): Promise<ExperimentPlan> {
  const notes: string[] = [];
  const launched = launchedRoles(spec);
  const remote = launched.flatMap((role) => environment.remoteRoles?.get(role) ?? []);
  const topology = remote.length ? onThisMachinesNetwork(spec, notes) : await chooseTopology(spec, environment, notes);
  if (remote.length) refuseFixturesElsewhere(spec, remote, environment.roles);
  const hosts = remote.length ? remoteHosts(remote, environment.roles) : topology === 'two-hosts' ? { server: SERVER_ADDRESS, client: CLIENT_ADDRESS, internet: INTERNET_ADDRESS } : { server: LOOPBACK, client: LOOPBACK, internet: LOOPBACK };
  const given = givenPorts(spec, remote);
  const ports = { ...(await allocatePorts([...spec.portNames].filter((name) => given[name] === undefined), LOOPBACK)), ...given };
  let tmpDir: string | undefined;
  let containment: Containment | undefined;
  try {
    tmpDir = await mkdtemp(path.join(os.tmpdir(), `socklab-${spec.id}-`));
    const values = templateValues(spec, environment, { ports, hosts, tmpDir, topology });
    const bindings = launched.map((role) => bindingOf(role, spec, environment.roles));
    containment = await containExperiment({
      tmpDir,
      bindings,
      confined: environment.sandbox !== undefined,
      copyPerExperiment: environment.copyPerExperiment ?? [],
    });
    const contained = containment;
    const roles = Object.fromEntries(bindings.map((binding) => [binding.role, planRole(binding, spec, environment, values, tmpDir!, contained)]));
    // `{{dir.ROLE}}`: where a program finds its files (a web server its pages) is known once its role is settled.
    for (const [role, planned] of Object.entries(roles)) values[`dir.${role}`] = planned.filesDir;
    const steps = spec.steps.map((step) => planStep(step, values, ports, hosts, environment.roles));
    refuseAbsentByHand(steps, remote, given);
    const remoteDeployments = remote.flatMap((entry) => environment.remoteRoles?.describe(entry.role) ?? []);
    return {
      spec,
      points: weightedPoints(spec.points, spec.tags, environment.weights),
      tag,
      ports,
      givenPorts: Object.keys(given),
      topology,
      deployment: describeDeployment({ topology, hosts, roles: launched, remote: remoteDeployments, localAddress: remote[0]?.localAddress }),
      hosts,
      tmpDir,
      roles,
      steps,
      capture: missingProgramsOnly(spec, environment.roles) ? undefined : planCapture(spec, environment, ports, topology),
      notes,
      ...(containment.user ? { sandboxUser: containment.user } : {}),
    };
  } catch (error) {
    releaseContainment(containment?.user);
    releasePorts(Object.entries(ports).flatMap(([name, port]) => (given[name] === undefined ? [port] : [])));
    if (tmpDir) await rm(tmpDir, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

/** Gives back what the plan took: its ports, its user (killing what still runs as it) and its temp folder. */
export async function releasePlan(plan: ExperimentPlan): Promise<void> {
  releaseContainment(plan.sandboxUser);
  releasePorts(Object.entries(plan.ports).flatMap(([name, port]) => (plan.givenPorts.includes(name) ? [] : [port])));
  await rm(plan.tmpDir, { recursive: true, force: true }).catch(() => undefined);
}

/**
 * Its own world (two hosts and the Internet host) when the spec asks (`topology: two-hosts`), or when
 * `worlds` says so for it. Where namespaces cannot be made the experiment runs on loopback with a
 * note; a spec that requires two hosts where they cannot be made is a harness error, not the program's fault.
 */
async function chooseTopology(spec: ExperimentSpec, environment: PlanEnvironment, notes: string[]): Promise<Topology> {
  const required = spec.topology === 'two-hosts';
  // A submission's program that is missing never runs: there is nothing to give a world.
  const runsSubmission = submissionBindings(spec, environment.roles).some((binding) => binding.unavailable === undefined);
  const wanted = required || environment.worlds === 'all' || (environment.worlds === 'submissions' && runsSubmission);
  if (!wanted) return 'loopback';
  const unavailable = await environment.namespacesUnavailable();
  if (!unavailable) return 'two-hosts';
  if (required) throw new WorldUnavailableError(`this experiment needs its own network world (topology: two-hosts), but ${unavailable}`);
  notes.push(`ran on loopback, not in its own network world: ${unavailable}`);
  return 'loopback';
}

/**
 * An experiment with a role on another machine runs its other programs on this machine's own network,
 * where they can reach that machine (a world's hosts cannot), whatever `--isolate` or the spec asked.
 */
function onThisMachinesNetwork(spec: ExperimentSpec, notes: string[]): Topology {
  const asked = spec.topology === 'two-hosts' ? ' (the spec asks for two hosts: the other machine is the second)' : '';
  notes.push(`the programs on this machine run on its own network, not in a world of namespaces, so that they reach the other machine${asked}`);
  return 'loopback';
}

/**
 * socklab's fixtures (a relay on the server host, an origin or mail server on the Internet host) run
 * inside socklab and listen at their host's address: where that host is another machine, they cannot.
 * Probes (the client host) only connect out, from here.
 */
function refuseFixturesElsewhere(spec: ExperimentSpec, remote: RemoteRole[], roles: RoleTable): void {
  for (const step of spec.steps) {
    const host = stepKinds.get(step.kind)?.runsOn;
    if (host === undefined || host === 'client') continue;
    const elsewhere = remote.find((entry) => roles.get(entry.role).host === host);
    if (elsewhere) {
      throw new WorldUnavailableError(
        `step ${step.index + 1} (${step.kind}) runs inside socklab on the ${host} host, which is another machine in this run (${elsewhere.role} on ${elsewhere.host}): socklab's own fixtures run on this machine only`,
      );
    }
  }
}

/**
 * A role started by hand runs all along: an experiment that needs it not running yet (a client told
 * its port before it starts: the handout's "client first" problems) or not running any more (after a
 * stop or wait step) cannot be reproduced against it.
 */
function refuseAbsentByHand(steps: PlannedStep[], remote: RemoteRole[], given: Record<string, number>): void {
  for (const entry of remote) {
    if (entry.startedBy !== 'hand') continue;
    const starts = steps.filter((step) => step.kind === 'start' && step.role === entry.role);
    const ends = steps.filter((step) => (step.kind === 'stop' || step.kind === 'wait') && starts.some((start) => start.name === step.name));
    const told = (step: PlannedStep) => step.kind !== 'start' && step.told.ports.some((port) => port === entry.port && Object.values(given).includes(port));
    const early = starts.length ? steps.find((step) => step.index < starts[0].index && told(step)) : undefined;
    const late = ends.length ? steps.find((step) => step.index > ends[0].index && told(step) && !starts.some((start) => start.index > ends[0].index && start.index < step.index)) : undefined;
    const problem = early
      ? `step ${early.index + 1} needs ${entry.role} not running yet (it starts at step ${starts[0].index + 1})`
      : late
        ? `step ${late.index + 1} needs ${entry.role} stopped (at step ${ends[0].index + 1})`
        : null;
    if (problem) throw new WorldUnavailableError(`${problem}, but it runs on ${entry.host}:${entry.port} all along, started by hand: this experiment cannot be reproduced with --remote`);
  }
}

/** A role's host is the other machine's address; the other hosts are this machine's address toward it. */
function remoteHosts(remote: RemoteRole[], roles: RoleTable): ExperimentPlan['hosts'] {
  const local = remote[0].localAddress;
  const hosts = { server: local, client: local, internet: local };
  for (const entry of remote) hosts[roles.get(entry.role).host] = entry.host;
  return hosts;
}

/** The ports a role started by hand listens on: every port its start steps name is that port. */
function givenPorts(spec: ExperimentSpec, remote: RemoteRole[]): Record<string, number> {
  const given: Record<string, number> = {};
  for (const entry of remote) {
    if (entry.startedBy !== 'hand') continue;
    for (const step of spec.steps) {
      if (step.kind !== 'start' || stepKinds.get(step.kind)?.role?.(step.body) !== entry.role) continue;
      // What the step tells the program and waits for; its `expect` is not where it listens.
      const told = Object.entries(step.body).filter(([key]) => key !== 'expect');
      for (const name of collectPortNames(told)) {
        const other = remote.find((candidate) => candidate.startedBy === 'hand' && candidate.port === given[name]);
        if (given[name] !== undefined && given[name] !== entry.port) {
          throw new WorldUnavailableError(`${other?.role ?? 'another role'} and ${entry.role} share {{ports.${name}}} in this experiment, but were started by hand on different ports (${given[name]} and ${entry.port})`);
        }
        given[name] = entry.port;
      }
    }
  }
  return given;
}

/** The submission's programs the experiment launches (a missing one too, with `unavailable`). */
function submissionBindings(spec: ExperimentSpec, roles: RoleTable): RoleBinding[] {
  return launchedRoles(spec)
    .map((role) => bindingOf(role, spec, roles))
    .filter((binding) => binding.source === 'submission');
}

/**
 * Every program of the submission this experiment would run is missing (a task not handed in): it
 * fails at its first step, so it gets no world and no capture, and costs next to nothing.
 */
function missingProgramsOnly(spec: ExperimentSpec, roles: RoleTable): boolean {
  const bindings = submissionBindings(spec, roles);
  return bindings.length > 0 && bindings.every((binding) => binding.unavailable !== undefined);
}

function templateValues(spec: ExperimentSpec, environment: PlanEnvironment, taken: { ports: Record<string, number>; hosts: ExperimentPlan['hosts']; tmpDir: string; topology: Topology }): TemplateValues {
  const values: TemplateValues = {
    'server.host': taken.hosts.server,
    'client.host': taken.hosts.client,
    'internet.host': taken.hosts.internet,
    tmp: taken.tmpDir,
    fixtures: environment.fixturesDir,
    root: environment.root,
    specDir: spec.specDir,
  };
  for (const [name, port] of Object.entries(taken.ports)) {
    values[`ports.${name}`] = String(port);
    // In a world an origin answers on port 80 too (origin-step.ts): URLs there need no port.
    values[`http.${name}`] = taken.topology === 'two-hosts' ? taken.hosts.internet : `${taken.hosts.internet}:${port}`;
  }
  return values;
}

function planStep(step: SpecStep, values: TemplateValues, ports: Record<string, number>, hosts: ExperimentPlan['hosts'], roles: RoleTable): PlannedStep {
  const kind = stepKinds.get(step.kind)!;
  const body = renderDeep(step.body, values);
  const role = kind.role?.(body);
  const listens = kind.listens?.(body);
  const name = kind.defines?.(body) ?? kind.references?.(body);
  const commonPorts = role !== undefined ? roles.get(role).commonPorts : [];
  const intercept = listens?.intercept === false ? [] : (listens?.intercept ?? commonPorts);
  // A strict experiment (`intercept: false`) still counts the connections to the hard-coded ports, for the report.
  const watch = listens?.intercept === false ? commonPorts : [];
  return {
    index: step.index,
    kind: step.kind,
    body,
    label: kind.label(body),
    role,
    host: role !== undefined ? roles.get(role).host : kind.runsOn,
    name,
    told: toldIn(step.body, ports, hosts),
    ...(listens && name ? { serves: { name, protocol: listens.protocol, port: listens.port, intercept, watch, strict: listens.intercept === false } } : {}),
    location: step.location,
    expectLocations: step.expectLocations,
  };
}

/**
 * The experiment's ports and hosts a step's templates name, in the order written (before rendering);
 * what it expects and what readiness waits for are not something the program was told.
 */
function toldIn(body: unknown, ports: Record<string, number>, hosts: ExperimentPlan['hosts']): PlannedStep['told'] {
  const told: PlannedStep['told'] = { ports: [], hosts: [] };
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const { expression } of findTemplateReferences(value)) {
        const port = portNameOf(expression);
        if (port !== null && ports[port] !== undefined) told.ports.push(ports[port]);
        else if (expression.endsWith('.host') && expression.slice(0, -5) in hosts) told.hosts.push(hosts[expression.slice(0, -5) as keyof typeof hosts]);
      }
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.entries(value).filter(([key]) => key !== 'expect' && key !== 'ready').forEach(([, item]) => visit(item));
  };
  visit(body);
  return told;
}

/** The roles the experiment's steps launch, in order. */
function launchedRoles(spec: ExperimentSpec): string[] {
  return [...new Set(spec.steps.flatMap((step) => stepKinds.get(step.kind)?.role?.(step.body) ?? []))];
}

/** Who plays `role` in this experiment: the run's choice, or the reference program where the spec says so. */
function bindingOf(role: string, spec: ExperimentSpec, roles: RoleTable): RoleBinding {
  return spec.reference?.includes(role) ? roles.reference(role) : roles.get(role);
}

function planRole(binding: RoleBinding, spec: ExperimentSpec, environment: PlanEnvironment, values: TemplateValues, tmpDir: string, containment: Containment): PlannedRole {
  const role = binding.role;
  const cwd = containment.inExperiment(binding.cwd) ?? tmpDir;
  const remote = environment.remoteRoles?.describe(role);
  // `{{port}}` and `{{host}}` stay for each step to fill with its own arguments (plan/role-invocation.ts).
  const rendered = binding.command.map((word) => renderTemplate(word, { ...values, ...KEEP_ARGUMENT_TEMPLATES }));
  const { command, invocation } = planInvocation(binding.invocation, rendered, spec.tags);
  // A submission's programs are untrusted: confined to their experiment's folders, as its user. A
  // folder that is not the experiment's own (a --role program's, where socklab was started) they may only
  // read. On another machine they run as the user socklab logs in as, with that machine's own /tmp.
  const confined = environment.sandbox && binding.source === 'submission' && !remote;
  const folders = containment.ownsFolder(cwd) ? { writable: [cwd, tmpDir] } : { writable: [tmpDir], readable: [cwd] };
  return {
    role,
    command,
    usage: binding.usage,
    invocation,
    cwd,
    filesDir: containment.inExperiment(binding.filesDir) ?? cwd,
    host: binding.host,
    source: binding.source,
    // In the sandbox, /tmp is that folder, and TMPDIR says /tmp (sandbox.ts).
    env: { ...(confined || remote ? {} : { TMPDIR: containment.tmp }), ...binding.env },
    ...(confined ? { sandbox: { ...folders, cwd, hidden: environment.sandbox!.hidden, tmp: containment.tmp, ...(containment.user ? { user: containment.user } : {}) } } : {}),
    ...(binding.unavailable !== undefined ? { unavailable: binding.unavailable } : {}),
    ignoredOutput: binding.ignoredOutput,
    commonPorts: binding.commonPorts,
    ...(binding.timersGiveUp && binding.source === 'reference' ? { timersGiveUp: true } : {}),
    ...(remote ? { remote } : {}),
  };
}

function planCapture(spec: ExperimentSpec, environment: PlanEnvironment, ports: Record<string, number>, topology: Topology): PlannedCapture | undefined {
  if (!(spec.capture || environment.captureAll) || Object.keys(ports).length === 0) return undefined;
  return { ports: Object.values(ports), expect: typeof spec.capture === 'object' ? spec.capture.expect : undefined, inWorld: topology === 'two-hosts' };
}
