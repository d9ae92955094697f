// Rules about what came back: a reply upper-cased with str.upper() (non-ASCII letters changed), an
// HTTP connection closed without any response, and no reply at all before the timeout.
import type { HttpDetails, StepResult } from '../model/result.js';
import type { ExperimentEvidence, ProgramRun } from './diagnose-evidence.js';
import { wasSilent } from './diagnose-evidence.js';
import type { Finding } from './diagnose-finding.js';

/** The lab's mapping: a–z to A–Z, every other character unchanged. */
function upperAsciiOnly(text: string): string {
  return text.replace(/[a-z]/g, (letter) => letter.toUpperCase());
}

/**
 * Words of the input that Unicode upper-casing changes beyond a–z, and that came back in that form
 * (and not in the lab's form): e.g. `straße` came back as `STRASSE` rather than `STRAßE`.
 */
function unicodeUpperedLetters(input: string, output: string): string[] {
  const changes: string[] = [];
  for (const word of input.split(/\s+/).filter(Boolean)) {
    const lab = upperAsciiOnly(word);
    const unicode = word.toUpperCase();
    if (lab === unicode || !output.includes(unicode) || output.includes(lab)) continue;
    for (const letter of new Set(word)) {
      if (letter > '\u007f' && letter.toUpperCase() !== letter) changes.push(`${letter}→${letter.toUpperCase()}`);
    }
  }
  return [...new Set(changes)];
}

export function findUnicodeUpper(evidence: ExperimentEvidence): Finding[] {
  const findings: Finding[] = [];
  for (const run of evidence.runs) {
    if (run.step.status !== 'failed' || run.step.stdin === undefined) continue;
    const changes = unicodeUpperedLetters(run.step.stdin, run.process.stdout);
    if (changes.length === 0) continue;
    const blamed = serverReachedBy(evidence, run) ?? run.role;
    findings.push({
      code: 'unicode-upper',
      role: blamed,
      steps: [run.step.index],
      message:
        `${evidence.programName(blamed)} uses str.upper(), which also changes non-ASCII letters (${changes.slice(0, 3).join(', ')}); ` +
        `the lab maps only a–z. Upper-case the received bytes instead (bytes.upper() changes only ASCII letters), or map bytes 97–122 to 65–90 yourself.`,
    });
  }
  return findings;
}

/** An HTTP request answered by a closed connection, with no status line at all. */
export function findNoResponse(evidence: ExperimentEvidence): Finding[] {
  return evidence.experiment.steps.flatMap((step) => {
    if (step.kind !== 'http' || step.status !== 'failed') return [];
    const closed = httpExchanges(step).find((exchange) => exchange.status === undefined && ['ECONNRESET', 'EPIPE'].includes(exchange.error?.code ?? ''));
    const role = closed && httpServerRole(evidence, step);
    if (!closed || !role) return [];
    return [
      {
        code: 'no-response',
        role,
        steps: [step.index],
        message:
          `${evidence.programName(role)} closed the connection without sending any response to ${requestOf(step)} (the client saw "${closed.error?.message}"). ` +
          `Every request needs an answer that starts with a status line, e.g. "HTTP/1.1 404 Not Found" for a missing file, then header lines, a blank line and a body.`,
      },
    ];
  });
}

/** A client still waiting, silent, at its timeout; or an HTTP request that timed out without a status. */
export function findNoReply(evidence: ExperimentEvidence): Finding[] {
  const findings: Finding[] = [];
  for (const run of evidence.runs) {
    if (run.step.status !== 'failed' || (run.step.kind !== 'run' && run.step.kind !== 'wait') || !wasSilent(run.process)) continue;
    const server = serverReachedBy(evidence, run);
    const emptyLine = run.step.stdin !== undefined && run.step.stdin.trim() === '' ? 'The input was an empty line. ' : '';
    findings.push({
      code: 'no-reply',
      role: run.role,
      steps: [run.step.index],
      message:
        `${evidence.programName(run.role)} ${run.process.stuck ? 'waited' : `waited ${seconds(run.process.durationMs)}`} for a reply${server ? ` from ${evidence.programName(server)}` : ''}${run.process.stuck ? ' that nothing was going to send' : ''} and printed nothing. ` +
        `${emptyLine}${replyHint(run.role)}`,
    });
  }
  for (const step of evidence.experiment.steps) {
    if (step.kind !== 'http' || step.status !== 'failed') continue;
    const timedOut = httpExchanges(step).find((exchange) => exchange.status === undefined && exchange.error?.code === 'ETIMEDOUT');
    const role = timedOut && httpServerRole(evidence, step);
    if (!role) continue;
    findings.push({
      code: 'no-reply',
      role,
      steps: [step.index],
      message: `${evidence.programName(role)} did not answer ${requestOf(step)} in time: read the request up to its blank line, then send the whole response.`,
    });
  }
  return findings;
}

function replyHint(role: string): string {
  if (role.startsWith('udp')) {
    return 'UDP never retransmits: check that the server answers every datagram (even an empty one) with sendto(reply, clientAddress), using the address recvfrom() returned.';
  }
  return 'Check that the server sends its reply (sendall) for every message, even an empty one, and that the client does not wait for more than the server sends.';
}

/** The submission's server the run was told to contact (by port), if one was ready there. */
function serverReachedBy(evidence: ExperimentEvidence, run: ProgramRun): string | undefined {
  if (run.toldPort === undefined) return undefined;
  return evidence.readyServicesOn(run.toldPort, run.step.index, run.role).find((service) => evidence.isSubmissionRole(service.role))?.role;
}

function httpDetails(step: StepResult): HttpDetails | undefined {
  return step.details?.kind === 'http' ? step.details : undefined;
}

function httpExchanges(step: StepResult): HttpDetails['exchanges'] {
  return httpDetails(step)?.exchanges ?? [];
}

/** The started service an HTTP step talked to: the one on the port it connected to (the proxy's, through a proxy), else the only one. */
function httpServerRole(evidence: ExperimentEvidence, step: StepResult): string | undefined {
  const started = evidence.services.filter((service) => service.startStep.index < step.index && evidence.isSubmissionRole(service.role));
  const contacted = httpDetails(step)?.connectedTo?.port;
  const byPort = started.find((service) => contacted !== undefined && service.ports.includes(contacted));
  return (byPort ?? (started.length === 1 ? started[0] : undefined))?.role;
}

function requestOf(step: StepResult): string {
  const request = httpDetails(step)?.request;
  return request ? `${request.method} ${request.path}` : `"${step.label}"`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}
