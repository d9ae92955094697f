// Plan + what happened → ExperimentResult, built once when the experiment is over: its status from
// the steps, the capture and the deadline, its score from scoring.ts. Nothing here runs anything.
import type { CaptureResult, ExpectationResult, ExperimentResult, ExperimentStatus, HarnessErrorInfo, StepResult } from '../model/result.js';
import type { ExperimentPlan } from '../plan/experiment-plan.js';
import { experimentScore, weightedPoints } from '../model/scoring.js';
import type { ExperimentSpec } from '../spec/spec-types.js';

/** What happened while a plan executed. */
export interface WhatHappened {
  startedAt: string;
  durationMs: number;
  steps: StepResult[];
  /** A fault of the harness outside any step (a plan that could not be made, a broken capture). */
  error?: HarnessErrorInfo;
  /** The experiment's own deadline passed (an interrupt is not a timeout). */
  timeout?: ExpectationResult;
  interrupted: boolean;
  capture?: CaptureResult;
  /** How it ran, beyond the plan's notes (the two hosts' namespaces). */
  notes: string[];
  /** The command of each role the steps launched. */
  launched: string[];
}

export function buildExperimentResult(spec: ExperimentSpec, plan: ExperimentPlan | null, happened: WhatHappened, weights: Readonly<Record<string, number>>): ExperimentResult {
  const stepExpectations = happened.steps.flatMap((step) => step.expectations);
  const captureExpectations = happened.capture?.expectations ?? [];
  const checked = [...stepExpectations, ...captureExpectations, ...(happened.timeout ? [happened.timeout] : [])];
  const failures = checked.filter((expectation) => !expectation.ok);
  const { status, skipReason } = statusOf(happened, failures, plan);
  const points = plan?.points ?? weightedPoints(spec.points, spec.tags, weights);
  const notes = [...(plan?.notes ?? []), ...happened.notes];
  const judged = Object.values(plan?.roles ?? {}).filter((role) => role.source === 'submission').map((role) => role.role);
  return {
    ...identity(spec),
    points,
    score: experimentScore({ status, points, partial: spec.partial, expectations: checked }),
    status,
    startedAt: happened.startedAt,
    durationMs: happened.durationMs,
    ports: { ...(plan?.ports ?? {}) },
    hosts: plan ? { ...plan.hosts } : {},
    // A role started by hand elsewhere was played by no command of socklab's: `deployment` says where it ran.
    roles: Object.fromEntries(happened.launched.flatMap((role) => (plan?.roles[role] && plan.roles[role].remote?.startedBy !== 'hand' ? [[role, plan.roles[role].command]] : []))),
    ...(judged.length ? { judged } : {}),
    steps: happened.steps,
    failures,
    ...(happened.error ? { error: happened.error } : {}),
    ...(plan ? { topology: plan.topology, deployment: plan.deployment } : {}),
    ...(notes.length ? { notes } : {}),
    ...(skipReason !== undefined ? { skipReason } : {}),
    ...(happened.capture ? { capture: happened.capture } : {}),
  };
}

/** An experiment that never ran: its `skip:` reason, or a run interrupted before it started. */
export function resultWithoutRun(spec: ExperimentSpec, status: 'skipped' | 'interrupted', reason: string, weights: Readonly<Record<string, number>>): ExperimentResult {
  return {
    ...identity(spec),
    points: weightedPoints(spec.points, spec.tags, weights),
    score: 0,
    status,
    startedAt: new Date().toISOString(),
    durationMs: 0,
    ports: {},
    hosts: {},
    roles: {},
    steps: [],
    failures: [],
    skipReason: reason,
  };
}

function identity(spec: ExperimentSpec): Pick<ExperimentResult, 'id' | 'title' | 'tags' | 'explain' | 'location' | 'hidden'> {
  return { id: spec.id, title: spec.title, tags: spec.tags, explain: spec.explain, location: spec.location, ...(spec.hidden ? { hidden: true } : {}) };
}

function statusOf(happened: WhatHappened, failures: ExpectationResult[], plan: ExperimentPlan | null): { status: ExperimentStatus; skipReason?: string } {
  if (happened.error || happened.steps.some((step) => step.status === 'error')) return { status: 'error' };
  if (happened.interrupted) return { status: 'interrupted' };
  if (failures.length > 0) return { status: 'failed' };
  // A check that could not be made here (no browser, no tcpdump) is never a pass on its own: when
  // nothing else in the experiment checked anything, the experiment is skipped with its reason;
  // otherwise it is judged by what was checked and the skip stays visible where it happened.
  // (Steps the runner skipped after a failure or timeout never get here: those fail the experiment.)
  const skippedStep = happened.steps.find((step) => step.status === 'skipped');
  const captureUnchecked = plan?.capture?.expect !== undefined && happened.capture?.expectations === undefined;
  const checkedSomething = happened.steps.some((step) => step.status === 'passed' && step.expectations.length > 0) || (happened.capture?.expectations?.length ?? 0) > 0;
  if ((skippedStep || captureUnchecked) && !checkedSomething) {
    return { status: 'skipped', skipReason: skippedStep?.skipReason ?? happened.capture?.reason ?? 'the capture could not be checked' };
  }
  return { status: 'passed' };
}
