// One step: render its templates, build its StepContext, execute its kind, and turn the outcome into
// a StepResult. A throw from a step kind is a harness error, never the program's failure.
import type { StepResult } from '../model/result.js';
import type { SpecStep } from '../spec/spec-types.js';
import { stepKinds } from '../steps/registry.js';
import type { DeferredOutcome, StepContext } from '../steps/step-kind.js';
import { renderDeep, renderTemplate } from '../spec/template.js';
import { Program } from '../process/program.js';
import type { ExperimentState } from './experiment-state.js';

export interface ExecutedStep {
  result: StepResult;
  stopExperiment: boolean;
}

export async function executeStep(step: SpecStep, state: ExperimentState): Promise<ExecutedStep> {
  const kind = stepKinds.get(step.kind)!;
  const stepStarted = performance.now();
  const body = renderDeep(step.body, state.values);
  const result: StepResult = {
    index: step.index,
    kind: step.kind,
    label: kind.label(body),
    role: kind.role?.(body),
    name: kind.defines?.(body) ?? kind.references?.(body),
    status: 'passed',
    startedAtMs: Math.round(stepStarted - state.startedAt),
    durationMs: 0,
    stdin: typeof body.stdin === 'string' ? body.stdin : undefined,
    expectations: [],
    notes: [],
    location: step.location,
  };
  let stopExperiment = false;
  try {
    const outcome = await kind.execute(body, contextFor(step, state, result));
    result.process = outcome.process;
    result.expectations = outcome.expectations.map((expectation) => locate(expectation, step));
    result.notes = outcome.notes ?? [];
    result.error = outcome.error;
    result.details = outcome.details;
    result.artifacts = outcome.artifacts;
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

function contextFor(step: SpecStep, state: ExperimentState, result: StepResult): StepContext {
  const { environment, values } = state;
  return {
    experimentId: state.spec.id,
    stepIndex: step.index,
    signal: state.signal,
    remainingMs: () => Math.max(0, state.spec.timeoutMs - (performance.now() - state.startedAt)),
    services: state.services,
    expectLocations: step.expectLocations,
    hosts: state.hosts,
    tmpDir: values.tmp,
    artifacts: { dir: environment.outputDir, prefix: `${state.spec.id}-step${step.index + 1}` },
    ignoredOutput: (role) => environment.roles.get(role).ignoredOutput,
    atEnd: (check) => state.deferred.push({ step: result, specStep: step, check }),
    onTeardown: (cleanup) => state.teardowns.push(cleanup),
    launch: (request) => {
      const binding = environment.roles.get(request.role);
      const command = [...binding.command.map((word) => renderTemplate(word, values)), ...request.args];
      state.roles[request.role] = command;
      const cwd = binding.cwd ?? values.tmp;
      // A submission's programs are untrusted: confined to their own folder and the experiment's temp folder.
      const sandbox = environment.sandbox && binding.source === 'submission' ? { writable: [cwd, values.tmp], cwd, hidden: environment.sandbox.hidden } : undefined;
      return new Program({
        command,
        namespace: state.namespaces?.[binding.host],
        sandbox,
        cwd,
        env: { ...inheritedEnvironment(), ...request.env },
        stdin: request.stdin,
        tag: state.tag,
        outputCapBytes: environment.outputCapBytes,
        unavailable: binding.unavailable,
        limits: state.spec.limits,
        // A fallback to weaker limits, or a limit the program ran into, joins this step's notes at the end.
        onLimitNotes: (read) => state.deferred.push({ step: result, specStep: step, check: async () => ({ expectations: [], notes: read() }) }),
      });
    },
  };
}

/** Runs the checks steps deferred to the end, adding their expectations to their steps. */
export async function runDeferredChecks(state: ExperimentState): Promise<void> {
  for (const { step, specStep, check } of state.deferred) {
    let outcome: DeferredOutcome;
    try {
      outcome = await check();
    } catch (error) {
      step.status = 'error';
      step.error = { code: 'HARNESS_ERROR', message: error instanceof Error ? error.message : String(error) };
      continue;
    }
    step.expectations.push(...outcome.expectations.map((expectation) => locate(expectation, specStep)));
    step.notes.push(...(outcome.notes ?? []));
    if (outcome.details) step.details = { ...step.details, ...outcome.details };
    if (step.status === 'passed' && outcome.expectations.some((expectation) => !expectation.ok)) step.status = 'failed';
  }
}

function locate<T extends { name: string; location?: StepResult['location'] }>(expectation: T, step: SpecStep): T {
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
