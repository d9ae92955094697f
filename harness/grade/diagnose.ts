// Feedback that teaches: reads the evidence of one experiment (outputs, exit codes, errors, which
// services were listening where) and names the likely mistake in the student's program, e.g. Python 2
// syntax, a hard-coded port, a server without its accept() loop, or str.upper() on non-ASCII text.
// Derived only from the ExperimentResult, never from reading the student's source.
//
// Rules run from the most specific to the most general; a finding is dropped when an earlier one
// already explains all of its steps, or when an earlier finding says the role's program could not run
// at all (Python 2, missing program), so one mistake gives one message.
import type { ExperimentResult } from '../model/result.js';
import { ExperimentEvidence, type RoleContext } from './diagnose-evidence.js';
import { findMissingPrograms, findPython2, findStrNotBytes } from './diagnose-python.js';
import { findIntercepted, findServerEndings, findServerIgnoresPort, findUnreachedServers } from './diagnose-servers.js';
import { findNoReply, findNoResponse, findUnicodeUpper } from './diagnose-replies.js';
import { findIgnoredReplyCodes, findNoCache } from './diagnose-protocols.js';
import { findClosedListeningSocket, findHangOnCacheMiss, findMissingEnvironment, findPathWithLeadingSlash, findServesOutsideFolder, findShortBody } from './diagnose-web.js';
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
  findIntercepted,
  findUnreachedServers,
  findServerIgnoresPort,
  findUnicodeUpper,
  findServerEndings,
  findNoCache,
  findIgnoredReplyCodes,
  findServesOutsideFolder,
  findPathWithLeadingSlash,
  findShortBody,
  findHangOnCacheMiss,
  findClosedListeningSocket,
  findNoResponse,
  findNoReply,
];

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
    // One finding per program is enough: every step of a hard-coded client says the same.
    const caught = findIntercepted(evidence).filter((finding, index, all) => finding.role !== undefined && evidence.isSubmissionRole(finding.role) && all.findIndex((other) => other.role === finding.role) === index);
    return caught.map(({ code, message }) => ({ code, message, experimentId: experiment.id }));
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
