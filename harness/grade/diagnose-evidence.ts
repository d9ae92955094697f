// The evidence the diagnosis rules read, gathered once from an ExperimentResult: which services were
// started (on which ports, whether they became ready, how they ended) and which programs ran (told
// which host and port, with what outcome). Everything here comes from the result model only.
import path from 'node:path';
import type { ExperimentResult, ProcessResult, StepResult } from '../model/result.js';
import { findingsOf, placeOf, type FileAnalysis, type SourceFinding } from './static-checks.js';

/** Which file plays a role in the submission being diagnosed. */
export interface RoleContext {
  role: string;
  /** The program's file (any path; messages use its base name), absent when the submission has none. */
  programFile?: string;
  /** What the static checks read in that file (static-checks.ts): evidence that sharpens a diagnosis, never one alone. */
  source?: FileAnalysis;
  /** Environment variables the program reads that socklab set for it, as a grader exports them before running it. */
  suppliedEnvironment?: string[];
}

/** One program's life as recorded on one step (run, start, stop or wait). */
export interface ProgramRun {
  step: StepResult;
  role: string;
  process: ProcessResult;
  /** The port (one of the experiment's `{{ports.*}}`) the program was told on its command line. */
  toldPort?: number;
  /** The host (one of the experiment's hosts) the program was told on its command line. */
  toldHost?: string;
}

/** A program started by a `start` step, with the process result of its whole life. */
export interface Service {
  name: string;
  role: string;
  startStep: StepResult;
  /** The start step passed: the service became ready (e.g. listened on its port). */
  ready: boolean;
  /** The experiment's ports that appear on its command line. */
  ports: number[];
  /** How it ended: from its stop/wait step, or from teardown (kept on the start step). */
  final?: ProcessResult;
}

export class ExperimentEvidence {
  readonly services: Service[];
  readonly runs: ProgramRun[];

  constructor(
    readonly experiment: ExperimentResult,
    private readonly context: RoleContext[],
  ) {
    this.services = experiment.steps.filter((step) => step.kind === 'start' && step.role).map((step) => this.serviceOf(step));
    this.runs = experiment.steps.flatMap((step) => {
      const role = step.role ?? this.services.find((service) => service.name === step.name && step.kind !== 'start')?.role;
      return role && step.process ? [this.runOf(step, role, step.process)] : [];
    });
  }

  /** Whether the role is played by the submission (every role, when no context was given). */
  isSubmissionRole(role: string): boolean {
    return this.context.length === 0 || this.context.some((entry) => entry.role === role);
  }

  /** The static analysis of the role's program file, when there is one. */
  sourceOf(role: string): FileAnalysis | undefined {
    return this.context.find((entry) => entry.role === role)?.source;
  }

  /** The role's static findings of one kind, in source order. */
  findingsOf(role: string, kind: SourceFinding['kind']): SourceFinding[] {
    return findingsOf(this.sourceOf(role), kind);
  }

  /**
   * ` (TCPClient.py:4: serverName = 'localhost')`: where the source shows a finding, the way every
   * message writes a place; '' without one.
   */
  where(role: string, finding: SourceFinding | undefined): string {
    const source = this.sourceOf(role);
    return source && finding ? ` (${placeOf(source, finding.line)}: ${finding.text})` : '';
  }

  /** Variables socklab set for the role's program (it reads them). */
  suppliedEnvironment(role: string): string[] {
    return this.context.find((entry) => entry.role === role)?.suppliedEnvironment ?? [];
  }

  /** The name to use in messages: the program's file name, else the file a traceback names, else the role. */
  programName(role: string): string {
    const file = this.context.find((entry) => entry.role === role)?.programFile;
    if (file) return path.basename(file);
    for (const run of this.runs.filter((candidate) => candidate.role === role)) {
      const named = /File "([^"]+)", line \d+/.exec(run.process.stderr)?.[1];
      if (named && !named.startsWith('<')) return path.basename(named);
    }
    return role;
  }

  /**
   * Services on `port` that became ready before step `beforeIndex`: the servers a program told that
   * port could reach. Other programs of `forRole` (a second client started in the background) are no
   * server for it, and a server of the same protocol (udp-client → udp-server) comes first.
   */
  readyServicesOn(port: number, beforeIndex: number, forRole?: string): Service[] {
    const candidates = this.services.filter((service) => service.ready && service.ports.includes(port) && service.startStep.index < beforeIndex && service.role !== forRole);
    if (forRole === undefined) return candidates;
    const sameProtocol = candidates.filter((service) => ExperimentEvidence.sameProtocol(service.role, forRole));
    return [...sameProtocol, ...candidates.filter((service) => !sameProtocol.includes(service))];
  }

  /** Whether two roles speak the same protocol by the lab's naming (tcp-client and tcp-server). */
  static sameProtocol(role: string, other: string): boolean {
    return role.split('-')[0] === other.split('-')[0];
  }

  private serviceOf(step: StepResult): Service {
    const name = step.name ?? step.role!;
    const ending = this.experiment.steps.find((candidate) => (candidate.kind === 'stop' || candidate.kind === 'wait') && candidate.name === name && candidate.index > step.index);
    const final = ending?.process ?? step.process;
    return { name, role: step.role!, startStep: step, ready: step.status !== 'error' && !step.expectations.some((expectation) => expectation.name === 'ready' && !expectation.ok), ports: step.told?.ports ?? [], final };
  }

  private runOf(step: StepResult, role: string, process: ProcessResult): ProgramRun {
    // A stop or wait step tells its program nothing: what it was told is on the step that started it.
    const told = step.told ?? this.services.find((service) => service.name === step.name && step.kind !== 'start')?.startStep.told;
    return { step, role, process, toldPort: told?.ports.at(-1), toldHost: told?.hosts[0] };
  }
}

/** What a program printed, both streams. */
export function outputOf(process: ProcessResult): string {
  return `${process.stdout}\n${process.stderr}`;
}

/**
 * The program was stopped at its timeout having printed nothing but (at most) a prompt such as
 * `Input lowercase sentence: `: it was waiting for something that never came.
 */
export function wasSilent(process: ProcessResult): boolean {
  if (!process.timedOut || process.error !== null || process.stderr.trim() !== '') return false;
  const printed = process.stdout.trim();
  return printed === '' || (!printed.includes('\n') && /:$/.test(printed));
}

/** The program ended by itself (it was not stopped by the harness) with this exit code. */
export function exitedOnItsOwn(process: ProcessResult | undefined): process is ProcessResult {
  return process !== undefined && !process.stillRunning && !process.killed && process.spawnError === null && process.exitCode !== null;
}

export interface TracebackFrame {
  file: string;
  line: number;
  /** The source line Python printed under the frame (trimmed), if any. */
  source?: string;
}

/** The frames of Python tracebacks (and SyntaxError locations) in a program's output, in order. */
export function tracebackFrames(text: string): TracebackFrame[] {
  const lines = text.split('\n');
  const frames: TracebackFrame[] = [];
  lines.forEach((line, index) => {
    const match = /^\s*File "([^"]+)", line (\d+)/.exec(line);
    if (!match) return;
    const next = lines[index + 1];
    const source = next !== undefined && !/^\s*(File "|Traceback|\^)/.test(next) && /^\s/.test(next) ? next.trim() : undefined;
    frames.push({ file: match[1], line: Number(match[2]), source });
  });
  return frames;
}

/** `TCPClient.py:12 (clientSocket.send(sentence))`: a traceback frame's place and source, the way every message writes it. */
export function framePlace(frame: TracebackFrame | undefined): string {
  if (!frame) return '';
  const place = `${path.basename(frame.file)}:${frame.line}`;
  return frame.source ? `${place} (${frame.source})` : place;
}

/** The last frame of a traceback that is the program's own (not Python's library: socket.py, os.py). */
export function ownFrame(text: string): TracebackFrame | undefined {
  const frames = tracebackFrames(text);
  return frames.findLast((frame) => !/[\\/]lib[\\/]python\d/.test(frame.file) && !frame.file.startsWith('<')) ?? frames.at(-1);
}

/** The last line of a traceback: the exception and its message, e.g. `NameError: name 'x' is not defined`. */
export function exceptionLine(text: string): string | undefined {
  const lines = text.split('\n').map((line) => line.trim()).filter(Boolean);
  return lines.reverse().find((line) => /^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|timeout)\b:?/.test(line));
}
