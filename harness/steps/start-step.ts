// `start: ROLE` — starts a background service that lives until the experiment ends (or a stop/wait
// step), and waits until it is ready.
import { Type, type Static } from '@sinclair/typebox';
import { Duration, PortRef } from '../schema/parts.js';
import { launchFields } from './shared/launch-fields.js';
import { parseDuration, formatDuration } from '../schema/duration.js';
import { waitUntilReady } from '../process/readiness.js';
import { tailLines } from './shared/output-tail.js';
import { stepTimeoutMs } from './shared/step-timeout.js';
import type { StepKind } from './step-kind.js';

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
  },
  { additionalProperties: false, minProperties: 1, expected: 'a readiness condition: tcp, udp, ownUdpSocket, stdout and/or delay, with an optional timeout' },
);

const StartStepSchema = Type.Object(
  {
    start: Type.String({ pattern: '^[a-z][a-z0-9-]*$', expected: 'a role name such as tcp-server' }),
    ...launchFields,
    ready: Type.Optional(ReadySchema),
  },
  { additionalProperties: false, expected: 'a start step: start, name, args, stdin, env, ready' },
);
type StartStep = Static<typeof StartStepSchema>;

export const startStep: StepKind<StartStep> = {
  key: 'start',
  schema: StartStepSchema,
  summary: 'Start a background service (until the experiment ends) and wait until it is ready.',
  label: (step) => step.title ?? ['start', step.start, ...(step.args ?? []).map(String)].join(' '),
  role: (step) => step.start,
  defines: (step) => step.name ?? step.start,
  async execute(step, context) {
    const name = step.name ?? step.start;
    const program = context.launch({ role: step.start, args: (step.args ?? []).map(String), stdin: step.stdin, env: step.env });
    context.services.set(name, { name, role: step.start, program, stepIndex: context.stepIndex });
    if (!step.ready) return { expectations: [], notes: ['no readiness condition: continuing at once'] };
    const timeoutMs = stepTimeoutMs(step.ready.timeout, DEFAULT_READY_TIMEOUT_MS, context);
    const verdict = await waitUntilReady(
      program,
      {
        tcp: step.ready.tcp === undefined ? undefined : Number(step.ready.tcp),
        udp: step.ready.udp === undefined ? undefined : Number(step.ready.udp),
        stdout: step.ready.stdout,
        ownUdpSocket: step.ready.ownUdpSocket,
        delayMs: step.ready.delay === undefined ? undefined : (parseDuration(step.ready.delay) ?? 0),
      },
      timeoutMs,
      context.signal,
    );
    if (verdict.ready) return { expectations: [], notes: [`ready after ${formatDuration(verdict.waitedMs)}`] };
    const output = tailLines(program.stdout.text(), program.stderr.text());
    return {
      expectations: [
        {
          name: 'ready',
          ok: false,
          expected: `${name} ready within ${formatDuration(timeoutMs)}`,
          actual: `${verdict.reason}${output ? `\n${output}` : ''}`,
          message: `${step.start} never became ready: ${verdict.reason}`,
          values: { kind: 'duration', limitMs: timeoutMs, actualMs: null },
        },
      ],
      stopExperiment: true,
    };
  },
};
