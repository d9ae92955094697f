// The "why" of a student's row in the gradebook: the main cause of the points they lost, in a few
// words, e.g. "Python 2 (TCPServer.py)" or "hard-coded port 12000 (TCPClient.py:7)". Causes are the
// feedback codes of the experiments (diagnose.ts), each weighted by the points its experiments lost;
// a task counted but not handed in, a harness error and a failure with no feedback are causes too.
import path from 'node:path';
import type { ExperimentResult, RunResult, SourceLine } from '../model/result.js';
import { roundPoints, taskOf, type TaskAssessment } from '../model/scoring.js';

export interface MainCause {
  /** A few words, e.g. `hard-coded port 12000 (TCPClient.py:7)`. */
  text: string;
  /** Where the student's own report shows it: an experiment, or a task's group when it was not handed in. */
  experimentId?: string;
  task?: string;
  /** Points lost to this cause (of the points that count). */
  lost: number;
}

/** Short words for each feedback code; a code not listed is shown as its own words. */
const CAUSE_WORDS: Readonly<Record<string, string>> = {
  'missing-program': 'program cannot start',
  python2: 'Python 2',
  'str-not-bytes': 'str instead of bytes on a socket',
  'ignores-cli-port': 'ignores the port it is told',
  'ignores-cli-host': 'hard-coded host',
  'server-exits-after-one-request': 'server exits after one request',
  'server-crashed': 'server crashes',
  'unicode-upper': 'str.upper() changes non-ASCII',
  'no-cache': 'proxy does not cache',
  'ignores-reply-codes': 'ignores SMTP error replies',
  'no-response': 'closes without a response',
  'no-reply': 'no reply',
};

interface Cause {
  key: string;
  words: string;
  lost: number;
  /** Experiments it explains, for the tie-break: the more frequent cause first. */
  count: number;
  /** Where it shows, each with the points lost there: `TCPClient.py:7`, `TCPServer.py`. */
  places: Map<string, number>;
  /** Ports a hard-coding program used. */
  ports: Set<number>;
  experimentId?: string;
  experimentLost: number;
  task?: string;
}

/** The main cause of lost points, or undefined when the student lost none (in the tasks that count). */
export function mainCause(run: RunResult, tasks: readonly TaskAssessment[]): MainCause | undefined {
  const byTask = new Map(tasks.map((task) => [task.task, task]));
  const causes = new Map<string, Cause>();
  const cause = (key: string, words: string): Cause => {
    const existing = causes.get(key) ?? { key, words, lost: 0, count: 0, places: new Map(), ports: new Set(), experimentLost: -1 };
    causes.set(key, existing);
    return existing;
  };
  const programs = Object.entries(run.submission?.programs ?? {}).map(([role, file]) => ({ role, name: path.basename(file) }));
  // Tasks that count but were not handed in are one cause: "task2, task3 not handed in".
  const notHandedIn = tasks.filter((candidate) => candidate.assessed && !candidate.handedIn).map((candidate) => candidate.task);
  if (notHandedIn.length > 0) {
    const lost = run.experiments.filter((experiment) => notHandedIn.includes(taskOf(experiment.tags)) && experiment.status !== 'skipped').reduce((sum, experiment) => sum + experiment.points, 0);
    Object.assign(cause('not-handed-in', `${notHandedIn.join(', ')} not handed in`), { lost, count: notHandedIn.length, task: notHandedIn[0] });
  }
  for (const experiment of run.experiments) {
    const task = byTask.get(taskOf(experiment.tags));
    if (task && (!task.assessed || !task.handedIn)) continue;
    const lost = experiment.status === 'skipped' ? 0 : Math.max(0, experiment.points - experiment.score);
    if (lost === 0) continue;
    const found: Cause[] = [];
    if (experiment.status === 'error') found.push(cause('harness-error', 'harness error: grade again'));
    else if (experiment.feedback?.length) {
      for (const item of experiment.feedback) {
        const current = cause(`code:${item.code}`, CAUSE_WORDS[item.code] ?? item.code.replace(/-/g, ' '));
        if (!found.includes(current)) found.push(current);
        // Feedback names the blamed program first ("TCPClient.py was told port …"), by its file name.
        const program = programs.find((candidate) => item.message.startsWith(`${candidate.name} `));
        const hardCoded = item.code === 'ignores-cli-port' && program ? hardCodedPort(experiment, program.role) : undefined;
        if (hardCoded) current.ports.add(hardCoded.port);
        const place = hardCoded?.at ? `${path.basename(hardCoded.at.file)}:${hardCoded.at.line}` : program?.name;
        if (place) current.places.set(place, (current.places.get(place) ?? 0) + lost);
      }
    } else found.push(cause(`experiment:${experiment.id}`, `fails ${experiment.id}`));
    for (const current of found) {
      current.lost += lost;
      current.count += 1;
      if (lost > current.experimentLost) Object.assign(current, { experimentId: experiment.id, experimentLost: lost });
    }
  }
  const [main] = [...causes.values()].filter((candidate) => candidate.lost > 0).sort((a, b) => b.lost - a.lost || b.count - a.count || a.key.localeCompare(b.key));
  if (!main) return undefined;
  return { text: describe(main), lost: roundPoints(main.lost), ...(main.task ? { task: main.task } : { experimentId: main.experimentId }) };
}

function describe(cause: Cause): string {
  const words = cause.ports.size > 0 ? `hard-coded port${cause.ports.size > 1 ? 's' : ''} ${[...cause.ports].sort((a, b) => a - b).join(', ')}` : cause.words;
  const places = [...cause.places].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([place]) => place);
  if (places.length === 0) return words;
  return `${words} (${places.slice(0, 2).join(', ')}${places.length > 2 ? `, +${places.length - 2}` : ''})`;
}

/** The port a role's program hard-coded, and where its source writes it, from what the experiment's world saw. */
function hardCodedPort(experiment: ExperimentResult, role: string): { port: number; at?: SourceLine } | undefined {
  const seen = experiment.steps.flatMap((step) => {
    const world = step.role === role ? step.world : undefined;
    if (!world) return [];
    return [
      ...world.delivered.map((entry) => ({ port: entry.port, at: entry.hardCodedAt })),
      ...(world.watched ?? []).map((entry) => ({ port: entry.port, at: entry.hardCodedAt })),
      ...(world.listening && world.listening.actual !== world.listening.given ? [{ port: world.listening.actual, at: world.listening.hardCodedAt }] : []),
    ];
  });
  return seen.find((entry) => entry.at) ?? seen[0];
}
