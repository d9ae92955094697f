// Services that end while their experiment goes on. A server that crashes after its third request
// is evidence the moment it happens: its start step gets a failed `running` check with the exit and
// the end of its stderr (the traceback). A server that ends cleanly (exit 0, say after one request)
// gets a note. Either way the later steps that need it (those told its port) are not run against
// nothing: they fail at once with the reason, instead of waiting out their timeouts. A service whose
// exit a later `wait:` or `stop:` step checks is left to that step.
import type { ExpectationResult, StepResult } from '../model/result.js';
import type { PlannedStep } from '../plan/experiment-plan.js';
import { formatDuration } from '../schema/duration.js';
import { allEnded } from '../process/stillness.js';
import { tailLines } from '../steps/shared/output-tail.js';
import type { RunningService } from '../steps/step-kind.js';
import type { ExperimentState } from './experiment-state.js';

/** A service that ended on its own, as found after a step. */
export interface DeadService {
  service: RunningService;
  /** The ports it was told or listens on: steps told one of them needed it. */
  ports: number[];
  how: string;
}

/**
 * Services that ended on their own since the last look, each reported once on its start step (unless
 * a later step of the spec is there to check its ending).
 */
export function findDeadServices(state: ExperimentState, afterStep: number, reported: Set<string>): DeadService[] {
  const dead: DeadService[] = [];
  for (const service of state.services.values()) {
    const { program } = service;
    if (reported.has(service.name) || program.running || program.killed || program.pid === null) continue;
    reported.add(service.name);
    const how = program.spawnError ? `could not start: ${program.spawnError.message}` : program.exitInfo?.exitCode !== null ? `exit code ${program.exitInfo?.exitCode}` : `signal ${program.exitInfo?.signal}`;
    const startStep = state.plan.steps[service.stepIndex];
    dead.push({ service, ports: startStep.told.ports, how });
    const result = state.steps.find((step) => step.index === service.stepIndex);
    // A service that never became ready has failed its start step already, with its output.
    if (!result || result.status !== 'passed' || endingIsChecked(state, service, afterStep)) continue;
    const failure = deathFailure(state, service, afterStep, how);
    if (program.exitInfo?.exitCode === 0) result.notes.push(failure.message.replace('died while serving', 'ended by itself'));
    else record(result, failure);
  }
  return dead;
}

/** How long a dying service (every process of it ended) may take to be reported as ended. */
const DYING_GRACE_MS = 1000;

/**
 * Services whose processes have all ended but whose exit is not reported yet (a client saw the
 * server's connection close as it died, and its step ended first): waited for, briefly, so that the
 * next step knows the service is dead instead of racing it.
 */
export async function settleDyingServices(state: ExperimentState): Promise<void> {
  for (const { program } of state.services.values()) {
    if (!program.running || program.pid === null || state.remote) continue;
    if (await allEnded(program.pid)) await program.waitForExit(DYING_GRACE_MS, state.signal);
  }
}

/** The failed result of a planned step that needs a service (it was told its port) which has died; null when it can run. */
export function stepWithoutItsService(step: PlannedStep, dead: DeadService[], startedAtMs: number): StepResult | null {
  const needed = dead.find((entry) => entry.service.stepIndex < step.index && step.told.ports.some((port) => entry.ports.includes(port)));
  if (!needed) return null;
  const reason = `${needed.service.name}, which it needs, had died (${needed.how})`;
  const failure: ExpectationResult = {
    name: 'needs',
    ok: false,
    expected: `${needed.service.name} running`,
    actual: `it had died (${needed.how})`,
    message: `not run: ${reason}`,
    values: { kind: 'flag', expected: true, actual: false },
    location: step.location,
  };
  return { index: step.index, kind: step.kind, label: step.label, role: step.role, status: 'failed', startedAtMs, durationMs: 0, expectations: [failure], notes: [`not run: ${reason}`], told: step.told, location: step.location };
}

/** A later wait/stop step names the service: its ending is that step's to judge. */
function endingIsChecked(state: ExperimentState, service: RunningService, afterStep: number): boolean {
  return state.plan.steps.some((step) => step.index > afterStep && (step.kind === 'wait' || step.kind === 'stop') && step.name === service.name);
}

function deathFailure(state: ExperimentState, service: RunningService, afterStep: number, how: string): ExpectationResult {
  const { program } = service;
  const at = program.exitInfo ? `${formatDuration(Math.round(performanceNowOf(program) - state.startedAt))}` : '';
  const during = state.plan.steps[afterStep];
  const output = tailLines(program.stdout.text(), program.stderr.text());
  const lastWords = lastLine(program.stderr.text());
  return {
    name: 'running',
    ok: false,
    expected: `${service.name} keeps running until the experiment ends`,
    actual: `ended on its own (${how})${at ? ` at +${at}` : ''}, during step ${afterStep + 1} (${during.label})${output ? `\n${output}` : ''}`,
    message: `${service.name} died while serving: ${how}${at ? ` at +${at}` : ''}, during step ${afterStep + 1}${lastWords ? `; it last wrote: ${lastWords}` : ''}`,
    values: { kind: 'flag', expected: true, actual: false },
  };
}

function record(step: StepResult, failure: ExpectationResult): void {
  step.expectations.push({ ...failure, location: step.location });
  if (step.status === 'passed') step.status = 'failed';
}

/** When the program ended, in performance.now() time (the runner's clock). */
function performanceNowOf(program: RunningService['program']): number {
  return program.endedAtMs ?? performance.now();
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.trim() ?? '';
}

/** How much each running service has written to stderr so far, to tell what it wrote during one step. */
export function stderrMarks(state: ExperimentState): Map<string, number> {
  return new Map([...state.services.values()].map((service) => [service.name, service.program.stderr.text().length]));
}

/**
 * When a step failed, what the services wrote to stderr meanwhile (a threaded server's traceback for
 * the request that step made), as notes on that step.
 */
export function stderrDuring(state: ExperimentState, marks: Map<string, number>, step: StepResult): void {
  if (step.status !== 'failed') return;
  for (const service of state.services.values()) {
    const written = service.program.stderr.text().slice(marks.get(service.name) ?? 0);
    if (written.trim()) step.notes.push(`meanwhile ${service.name} wrote to stderr:\n${written.replace(/\n$/, '').split('\n').slice(-10).join('\n')}`);
  }
}
