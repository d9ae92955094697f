// Rules about the application protocols of Tasks 3 and 4, read from what the harness's fixtures saw:
// a proxy that forwards every request (no cache), and a mail client that carries on after an error reply.
import type { ExperimentEvidence } from './diagnose-evidence.js';
import { outputOf } from './diagnose-evidence.js';
import type { Finding } from './diagnose-finding.js';

/** The origin fixture counted more requests for a path than a caching proxy would have sent. */
export function findNoCache(evidence: ExperimentEvidence): Finding[] {
  const findings: Finding[] = [];
  for (const step of evidence.experiment.steps) {
    if (step.kind !== 'origin') continue;
    for (const expectation of step.expectations) {
      const counted = expectation.values?.kind === 'count' ? expectation.values : undefined;
      // More requests for a path than a caching proxy would have sent (the `total` count names no path).
      if (expectation.ok || !counted || !counted.subject.startsWith('/') || counted.expected.max === undefined || counted.actual <= counted.expected.max) continue;
      const { subject: path, actual } = counted;
      const expected = counted.expected.max;
      // The proxy is whichever program of the submission was started before the origin was asked.
      const proxy = evidence.services.find((service) => evidence.isSubmissionRole(service.role) && service.ready);
      if (!proxy) continue;
      findings.push({
        code: 'no-cache',
        role: proxy.role,
        steps: [step.index],
        message:
          `${evidence.programName(proxy.role)} sent every request for ${path} to the origin server (${actual} requests reached it, ${expected} expected). ` +
          `Keep the origin's answer in a cache file named after the URL, and answer later requests for the same URL from that file.`,
      });
    }
  }
  return findings;
}

/** A run expected to fail (the server refused something) that exited 0 although it printed an error reply. */
export function findIgnoredReplyCodes(evidence: ExperimentEvidence): Finding[] {
  return evidence.runs.flatMap((run) => {
    const exit = run.step.expectations.find((expectation) => expectation.values?.kind === 'exit' && !expectation.ok);
    if (!exit || exit.values?.kind !== 'exit' || exit.values.expected !== 'nonzero' || run.process.exitCode !== 0) return [];
    const errorReply = outputOf(run.process)
      .split(/\r?\n/)
      .find((line) => /^[45]\d\d[ -]/.test(line));
    if (!errorReply) return [];
    return [
      {
        code: 'ignores-reply-codes',
        role: run.role,
        steps: [run.step.index],
        message:
          `${evidence.programName(run.role)} received the error reply "${errorReply.trim()}" but carried on and exited with status 0. ` +
          `Check the code of every reply before the next command (250 after MAIL FROM and RCPT TO, 354 after DATA); on any other code, send QUIT and exit with a non-zero status.`,
      },
    ];
  });
}

/** The mail server saw commands arrive before it had answered the one before: the client never reads the replies. */
export function findUnreadReplies(evidence: ExperimentEvidence): Finding[] {
  const sink = evidence.experiment.steps.find((step) => step.details?.kind === 'smtp-sink' && step.expectations.some((expectation) => expectation.name === 'waitsForReplies' && !expectation.ok));
  const details = sink?.details?.kind === 'smtp-sink' ? sink.details : undefined;
  const early = details?.sessions.flatMap((session) => session.early ?? []) ?? [];
  const client = evidence.runs.find((run) => evidence.isSubmissionRole(run.role));
  if (!sink || early.length === 0 || !client) return [];
  const named = early.map((command) => (command === '.' ? 'the final "."' : command));
  return [
    {
      code: 'ignores-reply-codes',
      role: client.role,
      steps: [sink.index],
      message:
        `${evidence.programName(client.role)} sent ${named.slice(0, 3).join(', ')} before the server had answered the command before: it does not read the replies (a sleep is no substitute), so it cannot notice a rejection. ` +
        `After each command, recv() the reply and check its code (250 after HELO, MAIL FROM, RCPT TO and the message; 354 after DATA) before sending the next.`,
    },
  ];
}
