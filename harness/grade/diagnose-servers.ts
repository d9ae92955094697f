// Rules about client and server not meeting: a client that ignores the host or port it was told, a
// server that never listens on its port, a server that serves one client and ends, a server that crashes.
import path from 'node:path';
import type { SourceLine, StepResult } from '../model/result.js';
import type { ProgramRun } from './diagnose-evidence.js';
import { ExperimentEvidence, exceptionLine, exitedOnItsOwn, framePlace, outputOf, ownFrame, tracebackFrames, wasSilent } from './diagnose-evidence.js';
import type { Finding } from './diagnose-finding.js';

/**
 * Tasks whose handout asks for the address and port on the command line (Task 1's requirement 3).
 * The skeletons of the others write their ports, so there a hard-coded port is only a note.
 */
const COMMAND_LINE_TASKS = ['task1'];

/** The port of the book's programs: the usual hard-coded value. */
const BOOK_PORT = '12000';

/** A failed client run that reached nothing: refused (TCP) or silent until its timeout (UDP). */
function reachedNothing(run: ProgramRun): boolean {
  if (run.step.status !== 'failed' || (run.step.kind !== 'run' && run.step.kind !== 'wait')) return false;
  return run.process.error?.code === 'ECONNREFUSED' || wasSilent(run.process);
}

function whatHappened(run: ProgramRun): string {
  return run.process.error?.code === 'ECONNREFUSED' ? 'its connection was refused' : 'it got no reply and printed nothing';
}

/** Clients told port P that reached nothing, while a server that was ready on P was still running. */
export function findUnreachedServers(evidence: ExperimentEvidence): Finding[] {
  const findings: Finding[] = [];
  for (const run of evidence.runs) {
    if (run.toldPort !== undefined && reachedNothing(run)) {
      const listening = evidence.readyServicesOn(run.toldPort, run.step.index, run.role).filter((service) => service.final === undefined || service.final.stillRunning);
      if (listening.length === 0) continue;
      // Silence alone could also be a server that never answers; when the same program got through on
      // another step of this experiment, it does use its command line.
      const refused = run.process.error?.code === 'ECONNREFUSED';
      if (!refused && evidence.runs.some((other) => other.role === run.role && other.step.status === 'passed' && other.process.exitCode === 0)) continue;
      const literal = hardCodedLiteral(run, run.toldPort);
      findings.push({
        code: 'ignores-cli-port',
        role: run.role,
        steps: [run.step.index],
        message:
          `${evidence.programName(run.role)} did not reach the server on the port it was told (${run.toldPort}): ` +
          `${evidence.programName(listening[0].role)} was running on that port, but ${whatHappened(run)}. ` +
          `Is the port hard-coded (e.g. ${BOOK_PORT})?${literal ? ` ${literal}.` : ''} ${howToReadPort(run)}`,
      });
    } else if (run.step.status === 'failed' && run.process.error?.code === 'ENOTFOUND' && run.toldHost && /^[\d.:]+$/.test(run.toldHost)) {
      const frame = ownFrame(run.process.stderr);
      const literal = evidence.findingsOf(run.role, 'host-literal')[0];
      const where = literal ? evidence.where(run.role, literal) : frame ? ` (at ${framePlace(frame)})` : '';
      findings.push({
        code: 'ignores-cli-host',
        role: run.role,
        steps: [run.step.index],
        message:
          `${evidence.programName(run.role)} was told the address ${run.toldHost} but looked up ${literal ? `'${literal.value}', a host name written in the program` : 'a host name that does not exist'}` +
          `${where}: is the server name hard-coded (e.g. 'servername' from the book)? Use serverName = sys.argv[1].`,
      });
    }
  }
  return findings;
}

/** A server that kept running but never became ready on the port it was told. */
export function findServerIgnoresPort(evidence: ExperimentEvidence): Finding[] {
  return evidence.services.flatMap((service) => {
    const process = service.final;
    const neverListened = service.startStep.expectations.some((expectation) => expectation.name === 'ready' && !expectation.ok);
    // It printed something (it got past starting up) and was still running when the harness gave up.
    if (!neverListened || !process?.stillRunning || process.stdout.trim() === '' || exceptionLine(process.stderr) || service.ports.length === 0) return [];
    const numbers = outputOf(process).match(/\b\d{4,5}\b/g)?.filter((number) => !service.ports.includes(Number(number))) ?? [];
    const printed = numbers.length > 0 ? ` It printed the port ${numbers[0]}.` : '';
    return [
      {
        code: 'ignores-cli-port',
        role: service.role,
        steps: [service.startStep.index],
        message:
          `${evidence.programName(service.role)} kept running but never listened on the port it was told (${service.ports[0]}).${printed} ` +
          `Is its port hard-coded (e.g. ${BOOK_PORT})? Read it from the command line: serverPort = int(sys.argv[1]).`,
      },
    ];
  });
}

/** Servers that ended by themselves: after one client (exit 0), or by crashing (any other ending). */
export function findServerEndings(evidence: ExperimentEvidence): Finding[] {
  return evidence.services.flatMap((service) => {
    const process = service.final;
    if (!exitedOnItsOwn(process)) return [];
    const afterwards = evidence.runs.filter(
      (run) => run.toldPort !== undefined && service.ports.includes(run.toldPort) && run.step.index > service.startStep.index && run.role !== service.role && ExperimentEvidence.sameProtocol(run.role, service.role),
    );
    const refused = afterwards.filter(reachedNothing);
    // Steps socklab did not run because the server they needed had already ended.
    const orphaned = evidence.experiment.steps.filter(
      (step) => step.index > service.startStep.index && step.expectations.some((expectation) => expectation.name === 'needs' && !expectation.ok) && step.told?.ports.some((port) => service.ports.includes(port)),
    );
    const stopChecks = evidence.experiment.steps.filter(
      (step) => step.kind === 'stop' && step.name === service.name && step.expectations.some((expectation) => expectation.name === 'running' && !expectation.ok),
    );
    const steps = [...refused.map((run) => run.step.index), ...orphaned.map((step) => step.index), ...stopChecks.map((step) => step.index)];
    const program = evidence.programName(service.role);
    if (process.exitCode !== 0) {
      // Requests and probes told its port that failed once it had crashed are the crash's too (a web
      // server that died on an image), so that a note about the start step alone does not hide it.
      const probes = evidence.experiment.steps.filter(
        (step) => step.index > service.startStep.index && step.status === 'failed' && step.role === undefined && step.told?.ports.some((port) => service.ports.includes(port)),
      );
      steps.push(...probes.map((step) => step.index).filter((index) => !steps.includes(index)));
      const exception = exceptionLine(process.stderr);
      const frame = ownFrame(process.stderr);
      const where = frame ? ` at ${framePlace(frame)}` : '';
      const when = service.ready ? 'while serving' : 'before it was ready';
      return [
        {
          code: 'server-crashed',
          role: service.role,
          steps: [service.startStep.index, ...steps],
          message: `${program} crashed ${when} (exit code ${process.exitCode})${where}${exception ? `: ${exception}` : ''}. A server must survive any one client: catch errors per connection and keep serving.`,
        },
      ];
    }
    if (!service.ready || steps.length === 0) return [];
    const served = afterwards.filter((run) => run.step.status === 'passed' && run.process.exitCode === 0).length;
    const loop = service.role.startsWith('udp') ? 'recvfrom() and sendto()' : 'accept() and the exchange with each client';
    const port = service.ports[0];
    return [
      {
        code: 'server-exits-after-one-request',
        role: service.role,
        steps,
        message:
          `${program} ended by itself (exit code 0) after ${served <= 1 ? 'its first client' : `${served} clients`}` +
          `${refused.length + orphaned.length > 0 ? `, so the next client found nothing on port ${port}` : ' instead of waiting for the next one'}. ` +
          `Put ${loop} inside a \`while True:\` loop so that the server keeps serving.`,
      },
    ];
  });
}

/** Where a run's output shows a port literal other than the one it was told (e.g. in a traceback line). */
function hardCodedLiteral(run: ProgramRun, toldPort: number): string | undefined {
  for (const frame of tracebackFrames(outputOf(run.process))) {
    const numbers = frame.source?.match(/\b\d{4,5}\b/g)?.map(Number).filter((number) => number !== toldPort && number >= 1024 && number <= 65535) ?? [];
    if (numbers.length > 0) return `Its traceback shows port ${numbers[0]} written in the program, at line ${frame.line}: ${frame.source}`;
  }
  const line = outputOf(run.process).split('\n').find((candidate) => candidate.includes(BOOK_PORT));
  return line ? `Its output mentions ${BOOK_PORT}: ${line.trim()}` : undefined;
}

function howToReadPort(run: ProgramRun): string {
  if (run.process.command.includes('--port')) return 'Use the value of --port.';
  return 'Read both from the command line: serverName = sys.argv[1], serverPort = int(sys.argv[2]).';
}

/**
 * Programs the experiment's world caught going to a hard-coded destination (localhost:12000, the
 * book's port) and delivered to the experiment's server: the experiment could judge the rest, but the
 * program does not use its command line. Reported whether the experiment passed or not: the port and
 * the host each as their own finding (a client may read one from its command line and not the other).
 * A proxy's connections to its origin are judged by the URL it was asked for (findUpstreamPort).
 */
export function findIntercepted(evidence: ExperimentEvidence): Finding[] {
  return evidence.experiment.steps.flatMap((step): Finding[] => {
    const moved = step.world?.listening;
    if (step.kind === 'start' && step.role && moved && moved.actual !== moved.given) {
      const required = COMMAND_LINE_TASKS.includes(evidence.experiment.tags[0] ?? '');
      return [
        {
          code: 'ignores-cli-port',
          role: step.role,
          steps: [step.index],
          message:
            `${evidence.programName(step.role)} was told to listen on port ${moved.given} but listens on ${moved.actual}${at(moved.hardCodedAt)}. ` +
            `${step.status === 'passed' ? `socklab judged the rest on port ${moved.actual}. ` : ''}` +
            (required
              ? 'Read the port from the command line: serverPort = int(sys.argv[1]).'
              : "The handout's skeleton writes its port, so this costs nothing here; read from the command line (serverPort = int(sys.argv[1])), it would let a grader choose."),
        },
      ];
    }
    const role = step.role ?? evidence.services.find((service) => service.name === step.name)?.role;
    if (!role || role === 'proxy') return [];
    const watched = step.world?.watched ?? [];
    if (watched.length > 0) {
      const what = watched.map((entry) => `port ${entry.port}${at(entry.hardCodedAt)} instead of ${entry.servicePort} (where ${entry.service} listens)`).join(' and ');
      return [
        {
          code: 'ignores-cli-port',
          role,
          steps: [step.index],
          message: `${evidence.programName(role)} connected to ${what}: the port is hard-coded. Use the port it was given on its command line.`,
        },
      ];
    }
    if (step.kind !== 'run') return [];
    return [...hardCodedPort(evidence, step, role), ...hardCodedHost(evidence, step, role)];
  });
}

/** A client's deliveries to a port other than the one it was told. */
function hardCodedPort(evidence: ExperimentEvidence, step: StepResult, role: string): Finding[] {
  const told = step.told?.ports.at(-1);
  // Deliveries to a server that moved its port are the server's doing, reported on the server.
  const caught = (step.world?.delivered ?? []).filter((entry) => !entry.serverMoved && entry.port !== told);
  if (caught.length === 0) return [];
  const where = caught.map((entry) => `${entry.asked}${at(entry.hardCodedAt)} (socklab delivered it to ${entry.deliveredTo})`).join(' and ');
  return [
    {
      code: 'ignores-cli-port',
      role,
      steps: [step.index],
      message:
        `${evidence.programName(role)} was told ${told === undefined ? 'where the server is' : `port ${told}`} but ${step.kind === 'run' && role.startsWith('udp') ? 'sent to' : 'connected to'} ${where}: the port is hard-coded. ` +
        `${step.status === 'passed' ? 'socklab judged the rest as if it had used its command line. ' : ''}Read it from the command line: serverPort = int(sys.argv[2]).`,
    },
  ];
}

/**
 * A client told an address that looked up a name of its own ('servername', 'hostname') or went to
 * localhost or another address: the host is hard-coded, whatever its port. Explains no step on its
 * own (the port, or the reply, does), so it is said beside them.
 */
function hardCodedHost(evidence: ExperimentEvidence, step: StepResult, role: string): Finding[] {
  const toldHost = step.told?.hosts[0];
  if (!toldHost || !/^[\d.]+$/.test(toldHost)) return [];
  const names = [...new Set((step.world?.lookups ?? []).map((lookup) => lookup.name).filter((name) => name !== toldHost))];
  const elsewhere = (step.world?.delivered ?? []).filter((entry) => !entry.serverMoved && (entry.address === 'loopback' || entry.address === 'other'));
  if (names.length === 0 && elsewhere.length === 0) return [];
  const literal = evidence.findingsOf(role, 'host-literal')[0];
  const used = names.length > 0 ? `looked up the name ${names.map((name) => `'${name}'`).join(', ')}` : `went to ${elsewhere[0].address === 'loopback' ? 'localhost' : 'another address'}`;
  // Without the static checks (a `run` with --role), the world recorded where the source writes localhost.
  const recorded = elsewhere.find((entry) => entry.hostHardCodedAt)?.hostHardCodedAt;
  const written = literal ? `, written in the program${evidence.where(role, literal)}` : recorded ? `, written at ${path.basename(recorded.file)}:${recorded.line} (${recorded.text})` : '';
  return [
    {
      code: 'ignores-cli-host',
      role,
      steps: [],
      message:
        `${evidence.programName(role)} was told the server's address ${toldHost} but ${used}${written}: the host is hard-coded` +
        `${literal && names.length === 0 ? ` ('${literal.value}')` : ''}, so it reaches the server only on the machine it was written for. Read it from the command line: serverName = sys.argv[1].`,
    },
  ];
}

/**
 * A proxy that connects to port 80 whatever the URL says: a request for a URL with a port of its own
 * failed, the world saw the proxy connect to 80, and its source writes 80 into connect(). (Connections
 * to 80 alone prove nothing: the URLs without a port ask for it.)
 */
export function findUpstreamPort(evidence: ExperimentEvidence): Finding[] {
  const proxy = evidence.services.find((service) => service.role === 'proxy');
  if (!proxy) return [];
  const literal = evidence.findingsOf('proxy', 'port-literal').find((finding) => finding.call === 'connect' || finding.call === 'create_connection');
  const world = proxy.startStep.world;
  const used = [...(world?.watched ?? []), ...(world?.delivered ?? []).filter((entry) => !entry.serverMoved)].filter((entry) => entry.port === literal?.value);
  const missed = evidence.experiment.steps.filter((step) => step.status === 'failed' && step.details?.kind === 'http' && step.details.proxy && portOfUrl(step.details.request.url) !== literal?.value);
  if (!literal || used.length === 0 || missed.length === 0) return [];
  const url = missed[0].details?.kind === 'http' ? missed[0].details.request.url : '';
  return [
    {
      code: 'upstream-port',
      role: 'proxy',
      steps: missed.map((step) => step.index),
      message:
        `${evidence.programName('proxy')} connected to the origin's port ${literal.value}, written in the program${evidence.where('proxy', literal)}, although the URL it was asked for (${url}) names port ${portOfUrl(url)}. ` +
        'Take the port from the URL: 80 only when the URL names none (http://host/page), else the number after the colon.',
    },
  ];
}

function portOfUrl(url: string): number {
  try {
    const parsed = new URL(url);
    return parsed.port === '' ? 80 : Number(parsed.port);
  } catch {
    return 80;
  }
}

/** `, hard-coded at TCPServer.py:3 (serverPort = 12000)`. */
function at(line: SourceLine | undefined): string {
  return line ? `, hard-coded at ${line.file}:${line.line} (${line.text})` : '';
}
