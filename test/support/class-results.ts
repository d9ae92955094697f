// Hand-built graded runs for the class gradebook and report tests: experiments of a task that launch
// the lab's roles, with feedback and what the world saw, and a submission that has some programs.
import { countResults, type ExperimentResult, type RunResult, type StepResult, type WorldEvents } from '../../harness/model/result.js';
import { runTotals } from '../../harness/model/scoring.js';
import { experiment, step } from './result-builder.js';

export const task1Programs = { 'tcp-server': 'TCPServer.py', 'tcp-client': 'TCPClient.py', 'udp-server': 'UDPServer.py', 'udp-client': 'UDPClient.py' };
export const labRoles = ['tcp-server', 'tcp-client', 'udp-server', 'udp-client', 'web-server', 'proxy', 'mail-client'];

export interface GradedExperiment {
  id: string;
  task: string;
  /** The roles it launches (each gets a step). */
  roles: string[];
  status?: ExperimentResult['status'];
  points?: number;
  score?: number;
  feedback?: Array<{ code: string; message: string }>;
  /** What the world saw of a role's program in this experiment. */
  world?: Record<string, WorldEvents>;
}

export function gradedExperiment(spec: GradedExperiment): ExperimentResult {
  const status = spec.status ?? 'passed';
  const points = spec.points ?? 1;
  const steps: StepResult[] = spec.roles.map((role, index) => step(index, { role, kind: index === 0 ? 'start' : 'run', ...(spec.world?.[role] ? { world: spec.world[role] } : {}) }));
  return experiment(spec.id, steps, {
    title: `checks ${spec.id}`,
    tags: [spec.task, 'extra-tag'],
    status,
    points,
    score: spec.score ?? (status === 'passed' ? points : 0),
    roles: Object.fromEntries(spec.roles.map((role) => [role, [role]])),
    ...(spec.feedback ? { feedback: spec.feedback } : {}),
  });
}

/** A graded run of a submission that has programs for `programs` (role → file); every other lab role is missing. */
export function gradedRun(student: string, experiments: ExperimentResult[], programs: Record<string, string> = task1Programs): RunResult {
  const totals = runTotals(experiments);
  return {
    version: 2,
    tool: { name: 'socklab', version: '0.1.0' },
    status: experiments.every((candidate) => candidate.status === 'passed') ? 'passed' : 'failed',
    startedAt: '2025-03-01T10:00:00.000Z',
    durationMs: 1000,
    counts: countResults(experiments),
    score: totals.score,
    maxScore: totals.maxScore,
    subject: `/class/${student}`,
    environment: { node: 'v22.0.0', platform: 'linux', cpus: 2, jobs: 2 },
    experiments,
    submission: { folder: `/class/${student}`, student, programs, missing: labRoles.filter((role) => !(role in programs)), notes: [] },
  };
}

/** A client that connected to a hard-coded port, as the experiment's world recorded it. */
export function hardCodedClient(port: number, file: string, line: number): WorldEvents {
  return { host: 'client', lookups: [], delivered: [{ protocol: 'tcp', asked: `localhost:${port}`, port, deliveredTo: 'tcp-server (192.0.2.1:40000)', connections: 1, hardCodedAt: { file, line, text: `serverPort = ${port}` } }] };
}
