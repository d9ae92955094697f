// `start: ROLE` — starts a background service that lives until the experiment ends (or a stop/wait
// step), and waits until it is ready.
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Duration, InterceptOption, PortRef } from '../schema/parts.js';
import { describeLiteral, findLiteral } from './shared/source-literal.js';
import { launchFields, launchRequest } from './shared/launch-fields.js';
import { parseDuration, formatDuration } from '../schema/duration.js';
import type { LaunchedProgram } from '../process/launched-program.js';
import { waitUntilReady } from '../process/readiness.js';
import { tailLines } from './shared/output-tail.js';
import { stepTimeoutMs } from './shared/step-timeout.js';
import { argumentRefusal } from './shared/usage-error.js';
import type { StepKind, StepOutcome } from './step-kind.js';

export const DEFAULT_READY_TIMEOUT_MS = 5_000;

const ReadySchema = Type.Object(
  {
    tcp: Type.Optional(PortRef),
    udp: Type.Optional(PortRef),
    stdout: Type.Optional(Type.String({ minLength: 1, expected: 'a regular expression for a stdout line' })),
    ownUdpSocket: Type.Optional(
      Type.Boolean({ description: 'The program holds a bound UDP socket of its own: a UDP client has sent its first datagram.' }),
    ),
    delay: Type.Optional(Duration),
    timeout: Type.Optional(Duration),
    exact: Type.Optional(
      Type.Boolean({
        description:
          "The program must listen on exactly the tcp/udp port given (the command-line requirement). By default, in the experiment's world, a server listening on another port is judged there (port discovery), with a note.",
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1, expected: 'a readiness condition: tcp, udp, ownUdpSocket, stdout and/or delay, with an optional timeout and exact' },
);

const StartStepSchema = Type.Object(
  {
    start: Type.String({ pattern: '^[a-z][a-z0-9-]*$', expected: 'a role name such as tcp-server' }),
    ...launchFields,
    ready: Type.Optional(ReadySchema),
    intercept: Type.Optional(InterceptOption),
    files: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[A-Za-z0-9._-]+$', expected: 'a file name without folders' }),
        Type.Union([Type.Object({ content: Type.String() }, { additionalProperties: false }), Type.Object({ copy: Type.String({ minLength: 1 }) }, { additionalProperties: false })], {
          expected: '{ content: TEXT } or { copy: PATH }',
        }),
        {
          expected: 'a map of file names to { content } or { copy }',
          description: "Files put in the program's folder before it starts (a web server's pages), removed when the experiment ends. A file the program's folder already has is kept as it is.",
        },
      ),
    ),
  },
  { additionalProperties: false, expected: 'a start step: start, name, args, stdin, env, ready, intercept, files' },
);
type StartStep = Static<typeof StartStepSchema>;

export const startStep: StepKind<StartStep> = {
  key: 'start',
  schema: StartStepSchema,
  summary: 'Start a background service (until the experiment ends) and wait until it is ready.',
  label: (step) => step.title ?? ['start', step.start, ...(step.args ?? []).map(String)].join(' '),
  role: (step) => step.start,
  launches: (step) => launchRequest(step.start, step),
  defines: (step) => step.name ?? step.start,
  listens(step) {
    const protocol = step.ready?.tcp !== undefined ? 'tcp' : step.ready?.udp !== undefined ? 'udp' : undefined;
    const port = Number(protocol === 'tcp' ? step.ready?.tcp : step.ready?.udp);
    return protocol && Number.isInteger(port) ? { protocol, port, intercept: step.intercept } : undefined;
  },
  async execute(step, context) {
    const name = step.name ?? step.start;
    const placed = await placeFiles(step.files ?? {}, context.folderOf(step.start));
    context.onTeardown(() => placed.remove());
    const request = launchRequest(step.start, step);
    let program = await context.launch(request);
    context.services.set(name, { name, role: step.start, program, stepIndex: context.stepIndex });
    // A role started by hand elsewhere is not started: this step uses it where it runs.
    const startedElsewhere = program.unobservable ? [`not started by socklab: ${program.unobservable}`] : [];
    if (!step.ready) return { expectations: [], notes: [...startedElsewhere, 'no readiness condition: continuing at once', ...placed.notes], ...(placed.names.length ? { placedFiles: placed.names } : {}) };
    const ready = step.ready;
    const timeoutMs = stepTimeoutMs(ready.timeout, DEFAULT_READY_TIMEOUT_MS, context);
    const planned = ready.tcp !== undefined ? Number(ready.tcp) : ready.udp !== undefined ? Number(ready.udp) : undefined;
    const waitForIt = (started: LaunchedProgram) =>
      waitUntilReady(
        started,
        {
          tcp: ready.tcp === undefined ? undefined : Number(ready.tcp),
          udp: ready.udp === undefined ? undefined : Number(ready.udp),
          stdout: ready.stdout,
          ownUdpSocket: ready.ownUdpSocket,
          delayMs: ready.delay === undefined ? undefined : (parseDuration(ready.delay) ?? 0),
          // In a world nobody else can hold the port: a listener elsewhere is the program's own choice.
          discover: context.inWorld && ready.exact !== true,
        },
        timeoutMs,
        context.signal,
      );
    let verdict = await waitForIt(program);
    // A server that refuses its arguments starts again the next way servers take them, when its source did not say which.
    while (!verdict.ready && !program.running && program.exitInfo) {
      await program.stop(); // its output, complete
      const refusal = argumentRefusal(program);
      if (!refusal || !context.nextConvention(step.start, refusal)) break;
      program = await context.launch(request);
      context.services.set(name, { name, role: step.start, program, stepIndex: context.stepIndex });
      verdict = await waitForIt(program);
    }
    const how = [...(program.sockets.method && verdict.socketsRead ? [`readiness checked with ${program.sockets.method}`] : []), ...(verdict.unchecked ?? [])];
    if (verdict.ready) {
      const notes = [...startedElsewhere, `ready after ${formatDuration(verdict.waitedMs)}${verdict.seenBy ? ` (${verdict.seenBy})` : ''}`, ...how, ...placed.notes];
      let listening: StepOutcome['listening'];
      if (verdict.listening && planned !== undefined && context.host) {
        const { protocol, port } = verdict.listening;
        const hardCodedAt = port !== planned ? findLiteral(program.command, program.cwd, port) : null;
        listening = { protocol, given: planned, actual: port, loopbackOnly: verdict.listening.loopbackOnly, ...(hardCodedAt ? { hardCodedAt } : {}) };
        if (port !== planned) {
          const where = describeLiteral(hardCodedAt);
          notes.push(`${step.start} was given port ${planned} but listens on ${port}${where ? `, ${where}` : ''}: the experiment goes on against port ${port} (port discovery)`);
        }
        if (verdict.listening.loopbackOnly && context.inWorld) {
          notes.push(`${step.start} listens on the loopback address only, which another host cannot reach: socklab delivers other hosts' connections there, as on one host with two terminals`);
        } else if (verdict.listening.loopbackOnly && !/^127\./.test(context.hosts[context.host])) {
          notes.push(`${step.start} listens on the loopback address only, which another machine cannot reach: it should listen on ${context.hosts[context.host]} or on every address ('' or 0.0.0.0)`);
        }
        const intercept = step.intercept === false ? [] : (step.intercept ?? context.commonPorts(step.start));
        const watch = step.intercept === false ? context.commonPorts(step.start) : [];
        await context.offer({ name, host: context.host, protocol, planned, actual: port, intercept, watch, loopbackOnly: verdict.listening.loopbackOnly, strict: step.intercept === false });
      }
      return { expectations: [], notes, ...(listening ? { listening } : {}), ...(placed.names.length ? { placedFiles: placed.names } : {}) };
    }
    const output = tailLines(program.stdout.text(), program.stderr.text());
    const elsewhere = verdict.listeningElsewhere?.[0];
    const hardCodedAt = elsewhere !== undefined ? findLiteral(program.command, program.cwd, elsewhere) : null;
    const literal = describeLiteral(hardCodedAt);
    const protocol = ready.tcp !== undefined ? 'tcp' : 'udp';
    const listening: StepOutcome['listening'] =
      elsewhere !== undefined && planned !== undefined ? { protocol, given: planned, actual: elsewhere, loopbackOnly: false, ...(hardCodedAt ? { hardCodedAt } : {}) } : undefined;
    const reason = elsewhere !== undefined && planned !== undefined ? `it listens on ${elsewhere}, not on the port it was given (${planned})${literal ? `: ${literal}` : ''}` : verdict.reason;
    return {
      expectations: [
        {
          name: 'ready',
          ok: false,
          expected: `${name} ready within ${formatDuration(timeoutMs)}`,
          actual: `${verdict.reason}${output ? `\n${output}` : ''}`,
          message: `${step.start} never became ready: ${reason}`,
          values: { kind: 'duration', limitMs: timeoutMs, actualMs: null },
        },
      ],
      notes: [...startedElsewhere, ...how],
      stopExperiment: true,
      ...(listening ? { listening } : {}),
    };
  },
};

/** Writes the step's files into the program's folder; what was already there stays untouched. */
async function placeFiles(files: Record<string, { content: string } | { copy: string }>, folder: string): Promise<{ names: string[]; notes: string[]; remove: () => Promise<void> }> {
  const created: string[] = [];
  const notes: string[] = [];
  for (const [name, source] of Object.entries(files)) {
    const target = path.join(folder, name);
    if (existsSync(target)) {
      notes.push(`kept the program's own ${name}`);
      continue;
    }
    await writeFile(target, 'content' in source ? source.content : await readFile(source.copy), { flag: 'wx' });
    created.push(target);
  }
  if (created.length) notes.push(`placed ${created.map((file) => path.basename(file)).join(', ')} in ${folder}`);
  return { names: Object.keys(files), notes, remove: async () => void (await Promise.all(created.map((file) => rm(file, { force: true })))) };
}
