// Feedback that teaches: reads the evidence of one experiment (outputs, exit codes, errors, which
// services were listening where) and names the likely mistake in the student's program, e.g. Python 2
// syntax, a hard-coded port, a server without its accept() loop, or str.upper() on non-ASCII text.
// Derived from the ExperimentResult; what the static checks read in the student's source
// (static-checks.ts) only sharpens a finding the run supports (the line, the port), or is a note that
// costs nothing.
//
// Rules run from the most specific to the most general; a finding is dropped when an earlier one
// already explains all of its steps, or when an earlier finding says the role's program could not run
// at all (Python 2, missing program), so one mistake gives one message.
import type { ExperimentResult } from '../model/result.js';
import { ExperimentEvidence, type RoleContext } from './diagnose-evidence.js';
import { findClientCrashes, findMissingPrograms, findPython2, findStrNotBytes } from './diagnose-python.js';
import { findIntercepted, findServerEndings, findServerIgnoresPort, findUnreachedServers, findUpstreamPort } from './diagnose-servers.js';
import { findNoReply, findNoResponse, findUnicodeUpper } from './diagnose-replies.js';
import { findIgnoredReplyCodes, findNoCache, findUnreadReplies } from './diagnose-protocols.js';
import {
  findBareLineFeeds,
  findClosedListeningSocket,
  findHangOnCacheMiss,
  findIgnoredUrlPath,
  findMissingEnvironment,
  findPathWithLeadingSlash,
  findServesOutsideFolder,
  findShortBody,
  findSingleThreaded,
  findSuppliedEnvironment,
} from './diagnose-web.js';
import type { Finding } from './diagnose-finding.js';

export type { RoleContext } from './diagnose-evidence.js';

export interface Diagnosis {
  /** Stable code, e.g. `python2`, `ignores-cli-port` (see DIAGNOSIS_CODES). */
  code: string;
  /** One or two sentences for the student: what the evidence shows and what to change. */
  message: string;
  experimentId: string;
}

/** Codes after which nothing else about the same role is worth saying: the program never really ran. */
const PROGRAM_DID_NOT_RUN = new Set(['missing-program', 'python2']);

/** The rules, most specific first. */
const RULES: ReadonlyArray<(evidence: ExperimentEvidence) => Finding[]> = [
  findMissingPrograms,
  findPython2,
  findMissingEnvironment,
  findStrNotBytes,
  findClientCrashes,
  findIntercepted,
  findUpstreamPort,
  findUnreachedServers,
  findServerIgnoresPort,
  findUnicodeUpper,
  findClosedListeningSocket,
  findServerEndings,
  findNoCache,
  findUnreadReplies,
  findIgnoredReplyCodes,
  findServesOutsideFolder,
  findPathWithLeadingSlash,
  findIgnoredUrlPath,
  findShortBody,
  findHangOnCacheMiss,
  findSingleThreaded,
  findNoResponse,
  findNoReply,
  findSuppliedEnvironment,
  findBareLineFeeds,
];

/**
 * Rules whose findings a passed experiment can still show: a hard-coded destination its world
 * delivered, and notes that cost nothing (a bare LF accepted, variables socklab had to set).
 */
const RULES_WHEN_PASSED: ReadonlyArray<(evidence: ExperimentEvidence) => Finding[]> = [findIntercepted, findUpstreamPort, findSuppliedEnvironment, findBareLineFeeds];

export const DIAGNOSIS_CODES = [
  'missing-program',
  'python2',
  'str-not-bytes',
  'ignores-cli-port',
  'ignores-cli-host',
  'server-exits-after-one-request',
  'server-crashed',
  'unicode-upper',
  'no-cache',
  'ignores-reply-codes',
  'no-response',
  'no-reply',
  'env-variable-missing',
  'serves-outside-folder',
  'short-body',
  'hangs-on-cache-miss',
  'closes-listening-socket',
  'path-with-leading-slash',
  'client-crashed',
  'ignores-url-path',
  'single-threaded',
  'upstream-port',
  'bare-lf',
] as const;

/**
 * Diagnoses one experiment. `context` lists the roles the submission plays and their program files;
 * only those roles are blamed (a tool such as curl never is). With an empty context every role may be.
 * A passed experiment gives no diagnosis.
 */
export function diagnose(experiment: ExperimentResult, context: RoleContext[]): Diagnosis[] {
  if (experiment.status === 'skipped') return [];
  const evidence = new ExperimentEvidence(experiment, context);
  // A passed experiment can still show a hard-coded destination that its world delivered.
  if (experiment.status === 'passed') {
    // One finding per program and code is enough: every step of a hard-coded client says the same.
    const notes = RULES_WHEN_PASSED.flatMap((rule) => rule(evidence)).filter(
      (finding, index, all) => finding.role !== undefined && evidence.isSubmissionRole(finding.role) && all.findIndex((other) => other.role === finding.role && other.code === finding.code) === index,
    );
    return notes.map(({ code, message }) => ({ code, message, experimentId: experiment.id }));
  }
  const kept: Finding[] = [];
  const explainedSteps = new Set<number>();
  const rolesThatDidNotRun = new Set<string>();
  for (const rule of RULES) {
    for (const finding of rule(evidence)) {
      if (finding.role !== undefined && !evidence.isSubmissionRole(finding.role)) continue;
      if (finding.role !== undefined && rolesThatDidNotRun.has(finding.role)) continue;
      if (finding.steps.length > 0 && finding.steps.every((index) => explainedSteps.has(index))) continue;
      const repeated = kept.some((earlier) => earlier.code === finding.code && earlier.role === finding.role);
      for (const index of finding.steps) explainedSteps.add(index);
      if (repeated) continue;
      kept.push(finding);
      if (finding.role !== undefined && PROGRAM_DID_NOT_RUN.has(finding.code)) rolesThatDidNotRun.add(finding.role);
    }
  }
  return kept.map(({ code, message }) => ({ code, message, experimentId: experiment.id }));
}
