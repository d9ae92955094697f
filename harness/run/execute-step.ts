// One planned step: build its StepContext, execute its kind, and turn the outcome into a StepResult.
// A throw from a step kind is a harness error, never the program's failure.
import type { Invocation, StepResult } from '../model/result.js';
import type { PlannedStep } from '../plan/experiment-plan.js';
import { stepKinds } from '../steps/registry.js';
import type { DeferredOutcome, LaunchRequest, StepContext } from '../steps/step-kind.js';
import type { LaunchedProgram } from '../process/launched-program.js';
import { Program, type LaunchOptions } from '../process/program.js';
import type { RemoteLaunch } from '../remote/remote-experiment.js';
import { untilStill } from '../process/stillness.js';
import { localNetwork } from '../network/host-network.js';
import { conventionCount, roleCommandLine } from '../plan/role-invocation.js';
import type { ExperimentState } from './experiment-state.js';

export interface ExecutedStep {
  result: StepResult;
  stopExperiment: boolean;
}

export async function executeStep(step: PlannedStep, state: ExperimentState): Promise<ExecutedStep> {
  const kind = stepKinds.get(step.kind)!;
  const stepStarted = performance.now();
  const result: StepResult = {
    index: step.index,
    kind: step.kind,
    label: step.label,
    role: step.role,
    name: step.name,
    status: 'passed',
    startedAtMs: Math.round(stepStarted - state.startedAt),
    durationMs: 0,
    stdin: typeof step.body.stdin === 'string' ? step.body.stdin : undefined,
    expectations: [],
    notes: [],
    ...(step.told.ports.length || step.told.hosts.length ? { told: step.told } : {}),
    location: step.location,
  };
  let stopExperiment = false;
  if (kind.timed?.(step.body)) state.timedFixture ??= step.label;
  try {
    const outcome = await kind.execute(step.body, contextFor(step, state, result));
    result.process = outcome.process;
    result.expectations = outcome.expectations.map((expectation) => locate(expectation, step));
    result.notes = outcome.notes ?? [];
    result.error = outcome.error;
    result.details = outcome.details;
    result.artifacts = outcome.artifacts;
    if (outcome.placedFiles?.length) result.placedFiles = outcome.placedFiles;
    if (outcome.notObservable?.length) result.notObservable = outcome.notObservable.map((entry) => locate(entry, step));
    if (outcome.listening && step.host) result.world = { host: step.host, lookups: [], delivered: [], listening: outcome.listening };
    result.status = outcome.status ?? (outcome.error ? 'error' : result.expectations.every((e) => e.ok) ? 'passed' : 'failed');
    if (outcome.status === 'skipped') result.skipReason = outcome.notes?.[0];
    stopExperiment = outcome.stopExperiment === true;
  } catch (error) {
    result.status = 'error';
    result.error = { code: 'HARNESS_ERROR', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  result.durationMs = Math.round(performance.now() - stepStarted);
  return { result, stopExperiment };
}

function contextFor(step: PlannedStep, state: ExperimentState, result: StepResult): StepContext {
  const { environment, plan } = state;
  // This step's last command line per role, and the ones that ended with a usage error, for its result.
  const launched = new Map<string, { command: string[]; invocation?: Invocation }>();
  const tried = new Map<string, NonNullable<Invocation['tried']>>();
  return {
    experimentId: plan.spec.id,
    stepIndex: step.index,
    signal: state.signal,
    remainingMs: () => Math.max(0, plan.spec.timeoutMs - (performance.now() - state.startedAt)),
    services: state.services,
    expectLocations: step.expectLocations,
    hosts: plan.hosts,
    tmpDir: plan.tmpDir,
    inWorld: state.world !== undefined,
    host: step.host,
    network: async () => (state.world && step.host ? state.world.network(step.host) : localNetwork),
    offer: async (service) => state.world?.offer(service),
    shareEnvironment: (variables) => Object.assign(state.sharedEnvironment, variables),
    commonPorts: (role) => plan.roles[role]?.commonPorts ?? [],
    folderOf: (role) => plan.roles[role]?.filesDir ?? plan.tmpDir,
    artifacts: { dir: environment.outputDir, prefix: `${plan.spec.id}-step${step.index + 1}` },
    ignoredOutput: (role) => plan.roles[role]?.ignoredOutput ?? [],
    atEnd: (check) => state.deferred.push({ step: result, planned: step, check }),
    onTeardown: (cleanup) => state.teardowns.push(cleanup),
    whileBusy: (check) => state.fixtureClocks.push(check),
    untilStill: async (program, deadline, signal) => {
      // A program on another machine cannot be read from here: with one in the experiment, nothing is ever known to be still.
      if (environment.waitOutTimeouts || state.timedFixture || state.remote) return null;
      const programs = () => [...(program ? [{ program, role: step.role }] : []), ...[...state.services.values()]];
      const pidsOf = (list: Array<{ program: LaunchedProgram; role?: string }>) => list.flatMap(({ program: each }) => (each.running && each.pid !== null ? [each.pid] : []));
      const roots = () => pidsOf(programs());
      // Those whose own timers only make them give up (a reference tool such as curl).
      const givingUp = () => pidsOf(programs().filter(({ role }) => role !== undefined && plan.roles[role]?.timersGiveUp));
      const busy = () => state.fixtureClocks.map((clock) => clock()).find((reason) => reason !== undefined);
      return untilStill(roots, deadline, AbortSignal.any([state.signal, signal]), busy, givingUp);
    },
    nextConvention: (role, ended) => {
      const planned = plan.roles[role];
      const attempt = state.conventionAttempts.get(role) ?? 0;
      if (!planned || attempt + 1 >= conventionCount(planned.invocation)) return false;
      state.conventionAttempts.set(role, attempt + 1);
      const last = launched.get(role);
      if (last) tried.set(role, [...(tried.get(role) ?? []), { command: [...last.command], convention: last.invocation?.convention ?? 'as given', ended }]);
      return true;
    },
    launch: async (request) => {
      const launch = planLaunch(state, request, tried.get(request.role));
      if ('command' in launch.line) launched.set(request.role, { command: launch.line.command, invocation: launch.invocation });
      // Notes about how it ran (a fallback to weaker limits, a limit it ran into, where it ran) join this step's at the end.
      const addNotes = (read: () => string[]) => state.deferred.push({ step: result, planned: step, check: async () => ({ expectations: [], notes: read() }) });
      if (launch.remote) {
        const program = await state.remote!.launch({ ...launch.remote, outputCapBytes: environment.outputCapBytes });
        if (program.notes) addNotes(() => program.notes ?? []);
        return program;
      }
      const program = state.ahead.take(launch.options!) ?? new Program(launch.options!);
      addNotes(() => program.limitNotes);
      launchAhead(plan.steps[step.index + 1], state);
      return program;
    },
  };
}

/** How `request` is launched now: the command line, and either a local program's options or the remote launch. */
interface PlannedLaunch {
  line: ReturnType<typeof roleCommandLine>;
  invocation?: Invocation;
  options?: LaunchOptions;
  remote?: Omit<RemoteLaunch, 'outputCapBytes'>;
}

function planLaunch(state: ExperimentState, request: LaunchRequest, earlier: Invocation['tried'] | undefined): PlannedLaunch {
  const { plan, environment } = state;
  const role = plan.roles[request.role];
  if (!role) throw new Error(`role ${request.role} was not planned`);
  const line = roleCommandLine({ command: role.command, usage: role.usage, invocation: role.invocation, args: request.args, attempt: state.conventionAttempts.get(request.role) ?? 0, ownHost: plan.hosts[role.host] });
  const invocation = 'command' in line && line.invocation ? { ...line.invocation, ...(earlier ? { tried: earlier } : {}) } : undefined;
  const env = { ...role.env, ...state.sharedEnvironment, ...request.env };
  if (role.remote && state.remote && role.unavailable === undefined && 'command' in line) {
    return { line, invocation, remote: { role: request.role, command: line.command, ...(invocation ? { invocation } : {}), stdin: request.stdin, env } };
  }
  const options: LaunchOptions = {
    command: 'command' in line ? line.command : role.command,
    ...(invocation ? { invocation } : {}),
    namespace: state.world?.namespaces[role.host],
    sandbox: role.sandbox,
    cwd: role.cwd,
    env: { ...inheritedEnvironment(state), ...env },
    stdin: request.stdin,
    tag: plan.tag,
    outputCapBytes: environment.outputCapBytes,
    unavailable: role.unavailable ?? ('problem' in line ? line.problem : undefined),
    limits: plan.spec.limits,
  };
  return { line, invocation, options };
}

/** Whether `step` launches a program (and so starts the next step's ahead itself, once its own is started). */
export function launchesProgram(step: PlannedStep): boolean {
  return stepKinds.get(step.kind)?.launches !== undefined;
}

/**
 * Starts the program `step` will launch ahead of it, held before its first instruction (launch-ahead.ts),
 * while the step before it runs: a step that launches a program of this machine, with what it would
 * be launched with now.
 */
export function launchAhead(step: PlannedStep | undefined, state: ExperimentState): void {
  const request = step && stepKinds.get(step.kind)?.launches?.(step.body);
  if (!request) return;
  const launch = planLaunch(state, request, undefined);
  if (launch.options && !launch.options.unavailable) state.ahead.prepare(launch.options);
}

/** Runs the checks steps deferred to the end, adding their expectations to their steps. */
export async function runDeferredChecks(state: ExperimentState): Promise<void> {
  for (const { step, planned, check } of state.deferred) {
    let outcome: DeferredOutcome;
    try {
      outcome = await check();
    } catch (error) {
      step.status = 'error';
      step.error = { code: 'HARNESS_ERROR', message: error instanceof Error ? error.message : String(error) };
      continue;
    }
    step.expectations.push(...outcome.expectations.map((expectation) => locate(expectation, planned)));
    step.notes.push(...(outcome.notes ?? []));
    if (outcome.details) step.details = outcome.details;
    if (step.status === 'passed' && outcome.expectations.some((expectation) => !expectation.ok)) step.status = 'failed';
  }
}

function locate<T extends { name: string; location?: StepResult['location'] }>(expectation: T, step: PlannedStep): T {
  return { ...expectation, location: expectation.location ?? step.expectLocations[expectation.name.split(/[.\s[]/)[0]] ?? step.location };
}

/** Programs see the harness's environment (PATH, JAVA_HOME, …) with Python's buffering off, so that a
 * program stopped at its timeout has still shown what it printed. Read once per experiment: each
 * variable of process.env is a call into Node's C++ side. */
function inheritedEnvironment(state: ExperimentState): Record<string, string> {
  const known = inherited.get(state);
  if (known) return known;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('SOCKLAB_')) env[key] = value;
  env.PYTHONUNBUFFERED = '1';
  inherited.set(state, env);
  return env;
}

const inherited = new WeakMap<ExperimentState, Record<string, string>>();
