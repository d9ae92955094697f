// Plain-text renderings of result-model pieces shared by the console and JUnit reporters, so that a
// step, an exit or a failure reads the same in the terminal and in the CI report.
import type {
  ExperimentResult,
  ExpectationResult,
  FoundProgram,
  HarnessErrorInfo,
  Invocation,
  ProcessResult,
  RunResult,
  SourceLine,
  StepDetails,
  StepResult,
  WorldEvents,
} from '../model/result.js';

/** A step that went wrong, with the expectations of it that failed (possibly none, for a harness fault). */
export interface StepProblem {
  step: StepResult;
  failedExpectations: ExpectationResult[];
}

/**
 * `step 2: run tcp-client 127.0.0.1 4000`. StepResult.index is taken to be 0-based like the spec's
 * `steps[1]` paths, and shown 1-based because that is how people count steps in a spec file.
 */
export function stepTitle(step: StepResult): string {
  return `step ${step.index + 1}: ${step.label}`;
}

/** How a program ended, in the words a student would use: `exit 0`, `signal SIGTERM`, `timed out`. */
export function describeExit(process: ProcessResult): string {
  if (process.spawnError) return `not started: ${process.spawnError.code}`;
  const parts: string[] = [];
  if (process.timedOut) parts.push('timed out');
  else if (process.stillRunning) parts.push('still running, stopped');
  if (process.exitCode !== null) parts.push(`exit ${process.exitCode}`);
  else if (process.signal !== null) parts.push(`signal ${process.signal}`);
  return parts.join(', ') || 'no exit status';
}

/** Renders argv so that it can be pasted into a shell to reproduce the step. */
export function formatCommand(command: string[]): string {
  return command.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** `123 ms` below a second, `4.6 s` above, as in the console's experiment lines. */
export function formatDuration(durationMs: number): string {
  return durationMs < 1000 ? `${Math.round(durationMs)} ms` : `${(durationMs / 1000).toFixed(1)} s`;
}

/** Steps that failed, errored or hold failed expectations, in step order (a step that could not start has no expectations). */
export function stepProblems(experiment: ExperimentResult): StepProblem[] {
  const problems: StepProblem[] = [];
  for (const step of experiment.steps) {
    const failedExpectations = step.expectations.filter((expectation) => !expectation.ok);
    const wentWrong = step.status === 'failed' || step.status === 'error' || step.error !== undefined;
    if (failedExpectations.length > 0 || wentWrong) problems.push({ step, failedExpectations });
  }
  return problems;
}

/**
 * Failed expectations that no step lists (ExperimentResult.failures is a convenience copy, but a
 * runner may record experiment-level checks only there); compared by identity of content.
 */
export function failuresOutsideSteps(experiment: ExperimentResult, options: { exceptCapture?: boolean } = {}): ExpectationResult[] {
  const elsewhere = [
    ...experiment.steps.flatMap((step) => step.expectations),
    // The HTML report shows the capture's checks in its capture section.
    ...(options.exceptCapture ? (experiment.capture?.expectations ?? []) : []),
  ];
  const shown = new Set(elsewhere.filter((e) => !e.ok).map(expectationKey));
  return experiment.failures.filter((failure) => !shown.has(expectationKey(failure)));
}

function expectationKey(expectation: ExpectationResult): string {
  return JSON.stringify([expectation.name, expectation.expected, expectation.actual, expectation.message]);
}

/** The harness fault behind an `error` status: the experiment's own, else the first step's. */
export function harnessErrorOf(experiment: ExperimentResult): HarnessErrorInfo | undefined {
  return experiment.error ?? experiment.steps.find((step) => step.error)?.error;
}

/**
 * True when a step's fault is not just the experiment's own fault repeated. Compared by content, not
 * identity, because results may come back from results.json as fresh objects.
 */
export function isOwnStepError(step: StepResult, experiment: ExperimentResult): step is StepResult & { error: HarnessErrorInfo } {
  const { error } = step;
  if (!error) return false;
  return !(experiment.error && experiment.error.code === error.code && experiment.error.message === error.message);
}

/** Why an experiment was skipped; the model has no experiment-level reason, so steps supply it. */
export function skipReasonOf(experiment: ExperimentResult): string | undefined {
  return experiment.skipReason ?? experiment.steps.find((step) => step.skipReason)?.skipReason;
}

/** The last `count` lines of program output, and how many lines came before them. */
export function tailLines(text: string, count: number): { lines: string[]; omitted: number } {
  const lines = text.replace(/\r?\n$/, '').split(/\r?\n/);
  if (text === '') return { lines: [], omitted: 0 };
  return { lines: lines.slice(-count), omitted: Math.max(0, lines.length - count) };
}

/** `label value` on one line, or the label followed by the value's lines indented two more spaces. */
export function labelledValue(label: string, value: string, indent: string): string[] {
  if (!value.includes('\n')) return [`${indent}${label} ${value}`];
  // The label may be padded to align with a one-line neighbour; no trailing spaces once the value moves down.
  return [`${indent}${label.trimEnd()}`, ...value.replace(/\n$/, '').split('\n').map((line) => `${indent}  ${line}`)];
}

/** `1 error`, `2 errors`. */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * What a step's kind saw, in a few plain lines: the HTTP exchange, what an origin or SMTP sink
 * received, a relay's counts. The console and JUnit show them under a problem step; the HTML report
 * renders the same details in full (html/details-section.ts).
 */
export function detailLines(details: StepDetails): string[] {
  switch (details.kind) {
    case 'http': {
      const via = details.proxy ? ` via ${details.proxy}` : '';
      const answers = details.exchanges.map((exchange) =>
        exchange.status !== undefined
          ? `← HTTP/${exchange.httpVersion ?? '1.1'} ${exchange.status} ${exchange.statusText ?? ''}`.trimEnd() + ` (${plural(exchange.bodyBytes, 'byte')}${exchange.error ? `, then ${exchange.error.code}` : ''})`
          : `← no response: ${exchange.error?.code ?? 'none'}${exchange.error ? ` (${exchange.error.message})` : ''}`,
      );
      return [`→ ${details.request.method} ${details.request.url}${via}`, ...distinct(answers)];
    }
    case 'raw':
      return [
        `→ ${plural(details.sentBytes, 'byte')} to ${details.target.host}:${details.target.port}: ${details.sentPreview}`,
        `← ${plural(details.receivedBytes, 'byte')}${details.closed ? ', then closed' : ', connection left open'}${details.error ? ` (${details.error.code})` : ''}`,
      ];
    case 'origin':
      return [`origin on ${details.listening.host}:${details.listening.port} received ${plural(details.requests.length, 'request')}: ${countsText(details.counts) || 'none'}`];
    case 'smtp-sink':
      return [
        `smtp-sink on ${details.listening.host}:${details.listening.port}: ${plural(details.messages.length, 'message')} delivered`,
        ...details.sessions.filter((session) => session.commands.length).map((session) => `dialog${session.secure ? ' (TLS)' : ''}: ${session.commands.join(' → ')}`),
      ];
    case 'relay':
      return [`relay ${details.protocol} ${details.listening.port} → ${details.to.port}: ${countsText(details.counts)}`];
    case 'browser':
      return [`browser ${details.url}${details.proxy ? ` via ${details.proxy}` : ''}: ${details.error ? `${details.error.code} (${details.error.message})` : `status ${details.status}, title ${JSON.stringify(details.title)}`}`];
  }
}

function countsText(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
}

/** The same line repeated (100 identical answers to `parallel: 100`) is shown once with its count. */
function distinct(lines: string[]): string[] {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  return [...counts].map(([line, count]) => (count > 1 ? `${line} ×${count}` : line));
}

/**
 * What the experiment's world saw of a program, one line each: `looked up hostname → 192.0.2.1`,
 * `connected to localhost:12000; socklab delivered it to tcp-server (192.0.2.1:12000)`.
 */
export function worldLines(world: WorldEvents): string[] {
  const lookups = distinct(world.lookups.map((lookup) => `looked up ${lookup.name} (${lookup.type}) → ${lookup.answer ?? 'no address'}${writtenAt(lookup.hardCodedAt)}`));
  const delivered = world.delivered.map(
    (entry) =>
      `${entry.protocol === 'udp' ? 'sent to' : 'connected to'} ${entry.asked}${writtenAt(entry.hostHardCodedAt)}; socklab delivered it to ${entry.deliveredTo}${entry.connections > 1 ? ` (${entry.connections} times)` : ''}`,
  );
  const undelivered = (world.undelivered ?? []).map(
    (entry) =>
      `${entry.protocol === 'udp' ? 'sent to' : 'connected to'} ${entry.asked}${writtenAt(entry.hostHardCodedAt)}${entry.connections > 1 ? ` (${entry.connections} times)` : ''}, not the address it was told: not delivered to ${entry.service} in this experiment`,
  );
  const watched = (world.watched ?? []).map(
    (entry) => `${entry.protocol === 'udp' ? 'sent to' : 'connected to'} port ${entry.port}${entry.connections > 1 ? ` (${entry.connections} times)` : ''}, where ${entry.service} does not listen (it listens on ${entry.servicePort}): not delivered in this experiment`,
  );
  return [...lookups, ...delivered, ...undelivered, ...watched];
}

/** ` (written at TCPClient.py:5: serverName = 'servername')`, or '' when the source does not show it. */
function writtenAt(line: SourceLine | undefined): string {
  return line ? ` (written at ${line.file}:${line.line}: ${line.text})` : '';
}

/**
 * How a submission's program was given its arguments, for the line after its command:
 * `IP PORT convention, from http_proxy.py:10 (PORT = int(sys.argv[2]))`; '' for the arguments as given.
 */
export function describeInvocation(invocation: Invocation | undefined): string {
  if (!invocation) return '';
  const tried = (invocation.tried ?? []).map((entry) => `\`${formatCommand(entry.command)}\` ended with ${entry.ended}`);
  const after = tried.length ? `, after ${tried.join('; ')}` : '';
  switch (invocation.how) {
    case 'template':
      return "the role command's own template";
    case 'handout':
      return `the handout's ${invocation.convention} convention, which this command-line experiment judges`;
    case 'source':
      return `${conventionName(invocation.convention)}${invocation.source ? `, from ${invocation.source.file}:${invocation.source.line} (${invocation.source.text})` : ''}${after}`;
    case 'tried':
      return `${conventionName(invocation.convention)}, tried in order (its source does not say)${after}`;
  }
}

function conventionName(convention: string): string {
  return convention === 'none' ? 'no arguments (none convention: what it needs is written in)' : `${convention} convention`;
}

/**
 * Which program plays each role and why, one line per role: `tcp-server: task1/tcp_server.py (a TCP
 * server (SOCK_STREAM, bind, listen, accept); takes PORT, from task1/tcp_server.py:10)`.
 */
export function programLines(submission: NonNullable<RunResult['submission']>): string[] {
  if (!submission.found) return Object.entries(submission.programs).map(([role, file]) => `${role}: ${file}`);
  return submission.found.map((found) => `${found.role}: ${found.program} (${foundWhy(found)})`);
}

function foundWhy(found: FoundProgram): string {
  const why = found.how === 'file name' ? 'by its name' : found.how === 'socklab.yaml' ? 'from socklab.yaml' : found.why;
  const convention = found.convention;
  const takes = convention ? `; takes ${convention.name === 'none' ? 'no arguments' : convention.name}${convention.source ? `, from ${convention.source.file}:${convention.source.line}` : ''}` : '';
  return `${why}${takes}${found.filesDir ? `; its pages in ${found.filesDir}/` : ''}${found.others ? `; chosen over ${found.others.join(', ')}` : ''}`;
}
