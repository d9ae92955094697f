// An experiment as a person would do it by hand in a few terminals: which terminal each program runs
// in (one per role, a second one when two programs of a role overlap in time, the way the handout
// opens a server terminal and a client terminal), what to type there in which order, and what each
// program printed. The HTML report's "Do it by hand" and the hand-in pack's terminal transcript both
// read this; it reads only the result model.
import type { ExperimentResult, ProcessResult, StepResult } from '../../model/result.js';
import { formatDuration } from '../result-text.js';
import { equivalentOf, programCommand } from './shell-text.js';

export type TerminalHost = 'server' | 'client' | 'internet';

/** One thing done in a terminal: a command typed (with its output), or an action such as Ctrl-C. */
export interface TerminalEntry {
  /** The step's number in the spec, from 1: the order across terminals. */
  step: number;
  /** When the step started, in ms since the experiment started. */
  startedAtMs: number;
  /** Ready to paste: `printf 'hello\n' | python3 TCPClient.py 127.0.0.1 40721`; absent for an action. */
  command?: string;
  /** The program's argv as typed at the prompt, when the entry is a program of the experiment. */
  argv?: string[];
  stdin?: string;
  /** What to do or what to expect, in words: "leave it running", "press Ctrl-C". */
  note?: string;
  /** For a part socklab played itself: who really did it, and that the command is an equivalent. */
  equivalent?: string;
  /** What that part saw, as the equivalent tool would print it. */
  shown?: string;
  /** The program itself, as it ran: its output and how it ended. */
  process?: ProcessResult;
  /** How it ended, when worth a line: `exit code 1`, `stopped by socklab (SIGTERM) at the end`. */
  ending?: string;
}

export interface Terminal {
  /** From 1: server terminals first, then clients, then socklab's own parts, each in order of first use. */
  number: number;
  host: TerminalHost;
  /** `tcp-server`, `udp-client`, `socklab's HTTP client`. */
  title: string;
  role?: string;
  entries: TerminalEntry[];
}

export interface HandSteps {
  terminals: Terminal[];
  /** Every step in order, each with the terminal it happens in (undefined: wait or sleep, no terminal). */
  order: Array<{ step: number; terminal?: Terminal; entry: TerminalEntry }>;
}

interface Lane {
  terminal: Terminal;
  key: string;
  /** The index of the step after which its last program is over (Infinity: it runs to the end). */
  busyUntil: number;
}

export function handSteps(experiment: ExperimentResult): HandSteps {
  const clientRoles = new Set(experiment.steps.filter((step) => step.kind === 'run' && step.role).map((step) => step.role!));
  const lanes: Lane[] = [];
  const terminals: Terminal[] = [];
  const order: HandSteps['order'] = [];
  const laneOf = new Map<string, Lane>();

  // Steps run one after another, so a terminal is free again for the steps after the one that ended its program.
  const place = (key: string, title: string, host: TerminalHost, stepIndex: number, freeAfter: number, role?: string): Lane => {
    let lane = lanes.find((candidate) => candidate.key === key && candidate.busyUntil < stepIndex);
    if (!lane) {
      const terminal: Terminal = { number: terminals.length + 1, host, title, entries: [], ...(role ? { role } : {}) };
      terminals.push(terminal);
      lane = { terminal, key, busyUntil: -1 };
      lanes.push(lane);
    }
    lane.busyUntil = freeAfter;
    return lane;
  };
  const add = (step: StepResult, lane: Lane | undefined, fields: Omit<TerminalEntry, 'startedAtMs'>) => {
    const entry = { ...fields, startedAtMs: step.startedAtMs };
    lane?.terminal.entries.push(entry);
    order.push({ step: step.index + 1, terminal: lane?.terminal, entry });
  };

  for (const step of experiment.steps) {
    const number = step.index + 1;
    if ((step.kind === 'run' || step.kind === 'start') && step.role) {
      const endedBy = step.kind === 'start' && !step.process ? endingStep(experiment, step) : undefined;
      const process = step.process ?? endedBy?.process;
      const freeAfter = step.kind === 'run' ? step.index : (endedBy?.index ?? Infinity);
      const host = step.world?.host ?? (clientRoles.has(step.role) ? 'client' : 'server');
      const lane = place(`role ${step.role}`, step.role, host, step.index, freeAfter, step.role);
      if (step.name) laneOf.set(step.name, lane);
      const argv = process?.command;
      add(step, lane, {
        step: number,
        ...(argv ? { command: programCommand(argv, step.stdin), argv } : {}),
        ...(step.stdin !== undefined ? { stdin: step.stdin } : {}),
        ...(process ? { process } : {}),
        note: step.kind === 'start' ? 'leave it running' : titleOf(step),
        ending: process ? endingOf(process, step, endedBy) : 'not started',
      });
    } else if (step.kind === 'stop' || step.kind === 'wait') {
      const lane = step.name ? laneOf.get(step.name) : undefined;
      if (lane) lane.busyUntil = step.index;
      const waitedOut = step.kind === 'wait' && step.process?.timedOut;
      const action = step.kind === 'stop' ? 'press Ctrl-C to stop it' : waitedOut ? `wait ${formatDuration(step.durationMs)}, then press Ctrl-C` : 'wait for it to finish';
      add(step, lane, { step: number, note: [action, titleOf(step)].filter(Boolean).join(': ') });
    } else if (step.kind === 'sleep') {
      add(step, undefined, { step: number, note: `wait ${formatDuration(step.durationMs)}` });
    } else {
      const equivalent = equivalentOf(step.details, step.kind);
      const fixture = step.kind === 'origin' || step.kind === 'smtp-sink' || step.kind === 'relay';
      const title = fixture ? `socklab's ${step.kind}${step.name ? ` (${step.name})` : ''}` : `socklab's ${step.kind} client`;
      const lane = place(fixture ? `fixture ${step.name}` : 'probes', title, fixture ? 'internet' : 'client', step.index, fixture ? Infinity : step.index);
      add(step, lane, { step: number, ...(equivalent.command ? { command: equivalent.command } : {}), ...(equivalent.output ? { shown: equivalent.output } : {}), equivalent: equivalent.says, note: titleOf(step) });
    }
  }
  // Server terminals first, as in the handout (the server is started in the first terminal).
  const hostOrder: TerminalHost[] = ['server', 'client', 'internet'];
  terminals.sort((a, b) => hostOrder.indexOf(a.host) - hostOrder.indexOf(b.host) || a.number - b.number);
  terminals.forEach((terminal, index) => (terminal.number = index + 1));
  return { terminals, order };
}

/** A started service's process is recorded on the step that ended it (stop or wait) when there is one. */
function endingStep(experiment: ExperimentResult, start: StepResult): StepResult | undefined {
  return experiment.steps.find((step) => step.index > start.index && (step.kind === 'stop' || step.kind === 'wait') && step.name === start.name && step.process);
}

/** The spec's own title for the step, when it has one (labels that only repeat the command are left out). */
function titleOf(step: StepResult): string | undefined {
  return step.label.startsWith(`${step.kind} `) ? undefined : step.label;
}

function endingOf(process: ProcessResult, step: StepResult, endedBy: StepResult | undefined): string | undefined {
  const signal = process.signal ?? 'SIGTERM';
  if (process.spawnError) return `could not start: ${process.spawnError.code} (${process.spawnError.message})`;
  if (process.timedOut) return `still waiting after ${formatDuration(process.durationMs)}: stopped by socklab (${signal}) as Ctrl-C would${endedBy ? ` at step ${endedBy.index + 1}` : ''}`;
  if (process.stillRunning && endedBy) return `stopped by socklab (${signal}) at step ${endedBy.index + 1}, as Ctrl-C would`;
  if (process.stillRunning) return `still running at the end: stopped by socklab (${signal})`;
  if (process.signal) return `killed by ${process.signal}`;
  if (process.exitCode !== 0 && process.exitCode !== null) return `exit code ${process.exitCode}`;
  return step.kind === 'start' ? 'exited by itself (exit code 0)' : undefined;
}
