// One planned step: build its StepContext, execute its kind, and turn the outcome into a StepResult.
// A throw from a step kind is a harness error, never the program's failure.
import type { Invocation, StepResult } from '../model/result.js';
import type { PlannedStep } from '../plan/experiment-plan.js';
import { stepKinds } from '../steps/registry.js';
import type { DeferredOutcome, StepContext } from '../steps/step-kind.js';
import { Program } from '../process/program.js';
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
    untilStill: async (program, deadline, signal) => {
      if (environment.waitOutTimeouts || state.timedFixture) return null;
      const roots = () => [program, ...[...state.services.values()].map((service) => service.program)].flatMap((each) => (each.running && each.pid !== null ? [each.pid] : []));
      return untilStill(roots, deadline, AbortSignal.any([state.signal, signal]));
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
    launch: (request) => {
      const role = plan.roles[request.role];
      if (!role) throw new Error(`role ${request.role} was not planned for step ${step.index + 1}`);
      const line = roleCommandLine({ command: role.command, usage: role.usage, invocation: role.invocation, args: request.args, attempt: state.conventionAttempts.get(request.role) ?? 0, ownHost: plan.hosts[role.host] });
      const earlier = tried.get(request.role);
      const invocation = 'command' in line && line.invocation ? { ...line.invocation, ...(earlier ? { tried: earlier } : {}) } : undefined;
      if ('command' in line) launched.set(request.role, { command: line.command, invocation });
      return new Program({
        command: 'command' in line ? line.command : role.command,
        ...(invocation ? { invocation } : {}),
        namespace: state.world?.namespaces[role.host],
        sandbox: role.sandbox,
        cwd: role.cwd,
        env: { ...inheritedEnvironment(), ...role.env, ...state.sharedEnvironment, ...request.env },
        stdin: request.stdin,
        tag: plan.tag,
        outputCapBytes: environment.outputCapBytes,
        unavailable: role.unavailable ?? ('problem' in line ? line.problem : undefined),
        limits: plan.spec.limits,
        // A fallback to weaker limits, or a limit the program ran into, joins this step's notes at the end.
        onLimitNotes: (read) => state.deferred.push({ step: result, planned: step, check: async () => ({ expectations: [], notes: read() }) }),
      });
    },
  };
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
 * program stopped at its timeout has still shown what it printed. */
function inheritedEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('SOCKLAB_')) env[key] = value;
  env.PYTHONUNBUFFERED = '1';
  return env;
}
