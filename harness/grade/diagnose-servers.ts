// Rules about client and server not meeting: a client that ignores the host or port it was told, a
// server that never listens on its port, a server that serves one client and ends, a server that crashes.
import type { SourceLine } from '../model/result.js';
import type { ProgramRun } from './diagnose-evidence.js';
import { ExperimentEvidence, exceptionLine, exitedOnItsOwn, outputOf, tracebackFrames, wasSilent } from './diagnose-evidence.js';
import type { Finding } from './diagnose-finding.js';

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
      const frame = tracebackFrames(run.process.stderr).at(-1);
      findings.push({
        code: 'ignores-cli-host',
        role: run.role,
        steps: [run.step.index],
        message:
          `${evidence.programName(run.role)} was told the address ${run.toldHost} but looked up a host name that does not exist` +
          `${frame?.source ? ` (line ${frame.line}: ${frame.source})` : ''}: is the server name hard-coded (e.g. 'servername' from the book)? Use serverName = sys.argv[1].`,
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
      const exception = exceptionLine(process.stderr);
      const frame = tracebackFrames(process.stderr).at(-1);
      const where = frame?.source ? ` at line ${frame.line} (${frame.source})` : '';
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
 * program does not use its command line. Reported whether the experiment passed or not.
 */
export function findIntercepted(evidence: ExperimentEvidence): Finding[] {
  return evidence.experiment.steps.flatMap((step): Finding[] => {
    const moved = step.world?.listening;
    if (step.kind === 'start' && step.role && moved && moved.actual !== moved.given) {
      return [
        {
          code: 'ignores-cli-port',
          role: step.role,
          steps: [step.index],
          message:
            `${evidence.programName(step.role)} was told to listen on port ${moved.given} but listens on ${moved.actual}${at(moved.hardCodedAt)}. ` +
            `${step.status === 'passed' ? `socklab judged the rest on port ${moved.actual}. ` : ''}Read the port from the command line: serverPort = int(sys.argv[1]).`,
        },
      ];
    }
    const role = step.role ?? evidence.services.find((service) => service.name === step.name)?.role;
    if (!role) return [];
    const watched = step.world?.watched ?? [];
    if (watched.length > 0) {
      const what = watched.map((entry) => `port ${entry.port}${at(entry.hardCodedAt)} instead of ${entry.servicePort} (where ${entry.service} listens)`).join(' and ');
      return [
        {
          code: 'ignores-cli-port',
          role,
          steps: [step.index],
          message: `${evidence.programName(role)} connected to ${what}: the port is hard-coded. Use the port it was given${role === 'proxy' ? ' (the one in the requested URL, 80 only when the URL names none)' : ' on its command line'}.`,
        },
      ];
    }
    // Deliveries to a server that moved its port are the server's doing, reported on the server.
    const caught = (step.world?.delivered ?? []).filter((entry) => !entry.serverMoved);
    if (caught.length === 0 || step.kind !== 'run') return [];
    const told = step.told?.ports.at(-1);
    const lookedUp = (step.world?.lookups ?? []).map((lookup) => lookup.name);
    const where = caught.map((entry) => `${entry.asked}${at(entry.hardCodedAt)} (socklab delivered it to ${entry.deliveredTo})`).join(' and ');
    return [
      {
        code: 'ignores-cli-port',
        role,
        steps: [step.index],
        message:
          `${evidence.programName(role)} was told ${told === undefined ? 'where the server is' : `port ${told}`} but connected to ${where}${lookedUp.length ? ` after looking up ${[...new Set(lookedUp)].join(', ')}` : ''}: the destination is hard-coded. ` +
          `${step.status === 'passed' ? 'socklab judged the rest as if it had used its command line. ' : ''}Read both from the command line: serverName = sys.argv[1], serverPort = int(sys.argv[2]).`,
      },
    ];
  });
}

/** `, hard-coded at TCPServer.py:3 (serverPort = 12000)`. */
function at(line: SourceLine | undefined): string {
  return line ? `, hard-coded at ${line.file}:${line.line} (${line.text})` : '';
}
