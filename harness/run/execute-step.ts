// One planned step: build its StepContext, execute its kind, and turn the outcome into a StepResult.
// A throw from a step kind is a harness error, never the program's failure.
import type { StepResult } from '../model/result.js';
import type { PlannedStep } from '../plan/experiment-plan.js';
import { stepKinds } from '../steps/registry.js';
import type { DeferredOutcome, StepContext } from '../steps/step-kind.js';
import { Program } from '../process/program.js';
import { localNetwork } from '../network/host-network.js';
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
    folderOf: (role) => plan.roles[role]?.cwd ?? plan.tmpDir,
    artifacts: { dir: environment.outputDir, prefix: `${plan.spec.id}-step${step.index + 1}` },
    ignoredOutput: (role) => plan.roles[role]?.ignoredOutput ?? [],
    atEnd: (check) => state.deferred.push({ step: result, planned: step, check }),
    onTeardown: (cleanup) => state.teardowns.push(cleanup),
    launch: async (request) => {
      const role = plan.roles[request.role];
      if (!role) throw new Error(`role ${request.role} was not planned for step ${step.index + 1}`);
      // Notes about how it ran (a fallback to weaker limits, a limit it ran into, where it ran) join this step's at the end.
      const addNotes = (read: () => string[]) => state.deferred.push({ step: result, planned: step, check: async () => ({ expectations: [], notes: read() }) });
      const env = { ...state.sharedEnvironment, ...request.env };
      if (role.remote && state.remote && role.unavailable === undefined) {
        const program = await state.remote.launch({ role: request.role, args: request.args, stdin: request.stdin, env, outputCapBytes: environment.outputCapBytes });
        if (program.notes) addNotes(() => program.notes ?? []);
        return program;
      }
      return new Program({
        command: [...role.command, ...request.args],
        namespace: state.world?.namespaces[role.host],
        sandbox: role.sandbox,
        cwd: role.cwd,
        env: { ...inheritedEnvironment(), ...env },
        stdin: request.stdin,
        tag: plan.tag,
        outputCapBytes: environment.outputCapBytes,
        unavailable: role.unavailable,
        limits: plan.spec.limits,
        onLimitNotes: addNotes,
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
