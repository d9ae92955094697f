// Rules read from what the web server and the proxy did on the wire: a response shorter than its
// Content-Length (one recv() per response), a proxy that never answers a cache miss, a server that
// closed its listening socket after a 404, a file from outside the server's folder, a program that
// crashed on a missing environment variable.
import type { HttpDetails, StepResult } from '../model/result.js';
import type { ExperimentEvidence } from './diagnose-evidence.js';
import { exceptionLine, framePlace, tracebackFrames } from './diagnose-evidence.js';
import type { Finding } from './diagnose-finding.js';

function httpOf(step: StepResult): HttpDetails | undefined {
  return step.details?.kind === 'http' ? step.details : undefined;
}

/** The submission's server an HTTP step talked to (the proxy or the web server on the port it connected to). */
function serverOf(evidence: ExperimentEvidence, step: StepResult): string | undefined {
  const port = httpOf(step)?.connectedTo?.port;
  const started = evidence.services.filter((service) => service.startStep.index < step.index && evidence.isSubmissionRole(service.role));
  return (started.find((service) => port !== undefined && service.ports.includes(port)) ?? (started.length === 1 ? started[0] : undefined))?.role;
}

/** A response cut before the end its Content-Length announced: typically a single recv() relayed. */
export function findShortBody(evidence: ExperimentEvidence): Finding[] {
  return evidence.experiment.steps.flatMap((step) => {
    if (step.status !== 'failed') return [];
    const short = httpOf(step)?.exchanges.find((exchange) => {
      const announced = Number(exchange.headers['content-length']);
      return exchange.status !== undefined && Number.isFinite(announced) && announced > exchange.bodyBytes;
    });
    const role = short && serverOf(evidence, step);
    if (!short || !role) return [];
    const single = evidence.findingsOf(role, 'single-recv').find((finding) => finding.value !== undefined);
    return [
      {
        code: 'short-body',
        role,
        steps: [step.index],
        message:
          `${evidence.programName(role)} sent ${short.bodyBytes} of the ${short.headers['content-length']} bytes its Content-Length announced, then stopped` +
          `${single ? `: it reads the response with one recv()${evidence.where(role, single)}` : ''}. ` +
          `One recv() returns whatever has arrived so far, not the whole answer: keep receiving until the other side closes (recv returns b'') or the announced length is reached, and send everything with sendall().`,
      },
    ];
  });
}

/** A proxy asked for an object it did not have: the origin answered, the proxy never did. */
export function findHangOnCacheMiss(evidence: ExperimentEvidence): Finding[] {
  const origin = evidence.experiment.steps.find((step) => step.details?.kind === 'origin');
  const originDetails = origin?.details?.kind === 'origin' ? origin.details : undefined;
  return evidence.experiment.steps.flatMap((step) => {
    const http = httpOf(step);
    if (step.status !== 'failed' || !http?.proxy || !originDetails) return [];
    const timedOut = http.exchanges.some((exchange) => exchange.status === undefined && exchange.error?.code === 'ETIMEDOUT');
    const path = new URL(http.request.url).pathname;
    const reached = originDetails.requests.some((request) => request.path === path || request.path.endsWith(path));
    const role = serverOf(evidence, step);
    if (!timedOut || !reached || !role) return [];
    return [
      {
        code: 'hangs-on-cache-miss',
        role,
        steps: [step.index],
        message:
          `${evidence.programName(role)} fetched ${path} from the origin (the origin answered) but never answered its client${whyItHangs(evidence, role)}. ` +
          `After a cache miss, read the origin's whole response (until it closes the connection, or as long as its Content-Length says), then send it to the client and close.`,
      },
    ];
  });
}

/** What the source shows of a proxy that never answers: a read loop that cannot end, or a kept-alive upstream connection. */
function whyItHangs(evidence: ExperimentEvidence, role: string): string {
  const compared = evidence.findingsOf(role, 'bytes-compared-with-str')[0];
  if (compared) return `: its read loop compares the bytes recv() returns with a str, which is never equal${evidence.where(role, compared)}, so it never sees the end`;
  const kept = evidence.findingsOf(role, 'http11-request')[0];
  if (kept) return `: it asks the origin with HTTP/1.1 and no "Connection: close"${evidence.where(role, kept)}, so the origin keeps the connection open and the loop waits for a close that does not come`;
  return '';
}

/**
 * After answering a 404 the web server accepts no more connections: it closed its listening socket in
 * the 404 branch. Seen as a refused connection while it still runs, or as its next accept() failing
 * (OSError: Bad file descriptor); the source shows the close().
 */
export function findClosedListeningSocket(evidence: ExperimentEvidence): Finding[] {
  const answered404 = evidence.experiment.steps.find((step) => httpOf(step)?.exchanges.some((exchange) => exchange.status === 404));
  if (!answered404) return [];
  return evidence.services.flatMap((service): Finding[] => {
    if (!service.ready || !evidence.isSubmissionRole(service.role) || service.startStep.index > answered404.index) return [];
    const after = evidence.experiment.steps.filter((step) => step.index > answered404.index && step.status === 'failed');
    const refused = after.filter((step) => httpOf(step)?.exchanges.some((exchange) => exchange.error?.code === 'ECONNREFUSED') || step.expectations.some((expectation) => expectation.name === 'needs' && !expectation.ok));
    const stillRunning = service.final === undefined || service.final.stillRunning;
    const badDescriptor = /Bad file descriptor|EBADF/.test(service.final?.stderr ?? '');
    const closed = evidence.findingsOf(service.role, 'listening-socket-closed')[0];
    if (refused.length === 0 || !(badDescriptor || (stillRunning && closed) || (stillRunning && refused.some((step) => httpOf(step))))) return [];
    const where = closed ? evidence.where(service.role, closed) : '';
    return [
      {
        code: 'closes-listening-socket',
        role: service.role,
        steps: [service.startStep.index, ...refused.map((step) => step.index)],
        message:
          `${evidence.programName(service.role)} answered 404, then accepted no more connections${badDescriptor ? ' (its next accept() failed: Bad file descriptor)' : ''}: it closed its listening socket in the 404 branch${where}. ` +
          `Close only the connection socket there (connectionSocket.close()), and keep the listening socket open for the next client.`,
      },
    ];
  });
}

/** A web server that handed out a file from outside its folder (/etc/passwd). */
export function findServesOutsideFolder(evidence: ExperimentEvidence): Finding[] {
  return evidence.experiment.steps.flatMap((step) => {
    const raw = step.details?.kind === 'raw' ? step.details : undefined;
    const body = raw?.receivedPreview ?? httpOf(step)?.exchanges.map((exchange) => exchange.bodyPreview).join('\n') ?? '';
    if (step.status !== 'failed' || !/^root:[^:\n]*:0:0:/m.test(body)) return [];
    const role = evidence.services.find((service) => service.startStep.index < step.index && evidence.isSubmissionRole(service.role))?.role;
    if (!role) return [];
    return [
      {
        code: 'serves-outside-folder',
        role,
        steps: [step.index],
        message:
          `${evidence.programName(role)} served /etc/passwd, a file outside its folder, for a path with "..". ` +
          `Resolve the requested path inside the server's folder and refuse (403 or 404) anything that ends up outside it; never open the URL path as it comes.`,
      },
    ];
  });
}

/** A program that stopped on a missing environment variable (os.environ['GMAIL_USER']). */
export function findMissingEnvironment(evidence: ExperimentEvidence): Finding[] {
  return evidence.runs.flatMap((run) => {
    const exception = exceptionLine(run.process.stderr);
    // The program's own frame that read os.environ (the traceback goes on into os.py's __getitem__).
    const frame = tracebackFrames(run.process.stderr).findLast((candidate) => candidate.source !== undefined && /\benviron\b/.test(candidate.source));
    const variable = exception && frame ? /KeyError: '([^']+)'/.exec(exception)?.[1] : undefined;
    if (!variable) return [];
    return [
      {
        code: 'env-variable-missing',
        role: run.role,
        steps: [run.step.index],
        message:
          `${evidence.programName(run.role)} stopped at ${framePlace(frame)}: the environment variable ${variable} is not set where it runs. ` +
          `Read it with os.environ.get('${variable}') and say what is missing (or take the value from the command line) instead of crashing with KeyError.`,
      },
    ];
  });
}

/**
 * Variables a program reads without a default (os.environ['GMAIL_USER']) that socklab set for it, as a
 * grader exports them before running it: unset, the program stops with KeyError. A note, said once
 * per experiment the program ran in; it explains no failure.
 */
export function findSuppliedEnvironment(evidence: ExperimentEvidence): Finding[] {
  const roles = [...new Set(evidence.runs.map((run) => run.role))];
  return roles.flatMap((role): Finding[] => {
    const supplied = new Set(evidence.suppliedEnvironment(role));
    const reads = evidence.findingsOf(role, 'env-read').filter((finding) => !finding.hasDefault && supplied.has(String(finding.value)));
    if (reads.length === 0) return [];
    const names = [...new Set(reads.map((finding) => String(finding.value)))];
    return [
      {
        code: 'env-variable-missing',
        role,
        steps: [],
        message:
          `${evidence.programName(role)} reads ${names.join(' and ')} from the environment${evidence.where(role, reads[0])} with no default: where ${names.length > 1 ? 'they are' : 'it is'} not set it stops with KeyError at once. ` +
          `socklab set ${names.length > 1 ? 'them' : 'it'} to test values, as a grader exports them. Read ${names.length > 1 ? 'them' : 'it'} with os.environ.get() and say what is missing instead of crashing.`,
      },
    ];
  });
}

/** The proxy asked the origin for another path than its client asked for (always "GET /"). */
export function findIgnoredUrlPath(evidence: ExperimentEvidence): Finding[] {
  const origin = evidence.experiment.steps.find((step) => step.details?.kind === 'origin');
  const details = origin?.details?.kind === 'origin' ? origin.details : undefined;
  if (!details || details.requests.length === 0) return [];
  const asked = evidence.experiment.steps.filter((step) => step.status === 'failed' && httpOf(step)?.proxy);
  const paths = new Set(asked.map((step) => new URL(httpOf(step)!.request.url).pathname));
  const got = [...new Set(details.requests.map((request) => request.path.split('?')[0]))];
  const role = asked.length > 0 ? serverOf(evidence, asked[0]) : undefined;
  // One path for every request, and not the asked one even at its end (a path-form proxy given a
  // browser's absolute URL asks for /host/a: a misreading, not a fixed path).
  if (!role || paths.size === 0 || got.length !== 1 || [...paths].some((path) => got[0].endsWith(path))) return [];
  const fixed = evidence.findingsOf(role, 'fixed-request-path')[0];
  return [
    {
      code: 'ignores-url-path',
      role,
      steps: asked.map((step) => step.index),
      message:
        `${evidence.programName(role)} asked the origin for ${got[0]} ("GET ${got[0]}") when its client asked for ${[...paths].join(', ')}${fixed ? `: the request line is written in the program${evidence.where(role, fixed)}` : ''}. ` +
        `Build the request from the URL the client asked for: GET, the URL's path, HTTP/1.0 (or HTTP/1.1 with "Connection: close"), and a Host header.`,
    },
  ];
}

/** Several clients at once were served one after another: the server handles one client at a time. */
export function findSingleThreaded(evidence: ExperimentEvidence): Finding[] {
  return evidence.experiment.steps.flatMap((step): Finding[] => {
    const http = httpOf(step);
    const slow = step.expectations.find((expectation) => expectation.name === 'within' && !expectation.ok && expectation.values?.kind === 'duration');
    if (step.status !== 'failed' || !http || http.exchanges.length < 2 || !slow) return [];
    const role = serverOf(evidence, step);
    const answered = http.exchanges.filter((exchange) => exchange.status !== undefined).length;
    if (!role || answered < 2) return [];
    const source = evidence.sourceOf(role);
    const alone = source && source.concurrency === false ? ` ${evidence.programName(role)} starts no thread (it imports neither threading nor socketserver, asyncio or select).` : '';
    return [
      {
        code: 'single-threaded',
        role,
        steps: [step.index],
        message:
          `${evidence.programName(role)} served ${http.exchanges.length} clients who asked at the same time one after another (${Math.round(http.wallMs / 100) / 10}s in all): it handles one client at a time.${alone} ` +
          `Serve each accepted connection in a thread of its own (threading.Thread(target=handle, args=(connectionSocket,)).start()), so that a slow origin or client never holds up the others.`,
      },
    ];
  });
}

/** The origin accepted request lines ending in a bare LF (a note: real servers accept them, HTTP asks for CRLF). */
export function findBareLineFeeds(evidence: ExperimentEvidence): Finding[] {
  const origin = evidence.experiment.steps.find((step) => step.kind === 'origin' && step.notes.some((note) => /bare LF/.test(note)));
  if (!origin) return [];
  const role = evidence.services.find((service) => evidence.isSubmissionRole(service.role) && service.startStep.index > origin.index)?.role;
  if (!role) return [];
  const written = evidence.findingsOf(role, 'bare-lf')[0];
  return [
    {
      code: 'bare-lf',
      role,
      steps: [],
      message:
        `${evidence.programName(role)} ended the lines of its request with a bare LF ("\\n") instead of CRLF ("\\r\\n")${evidence.where(role, written)}. ` +
        'The origin accepted it, as most real servers do, but HTTP asks for "\\r\\n" after the request line and each header, and a blank "\\r\\n" line at the end.',
    },
  ];
}

/** A 404 for a page that was in the server's folder: it looked elsewhere (the URL path opened as an absolute path). */
export function findPathWithLeadingSlash(evidence: ExperimentEvidence): Finding[] {
  return evidence.experiment.steps.flatMap((step) => {
    const http = httpOf(step);
    if (step.status !== 'failed' || !http?.exchanges.some((exchange) => exchange.status === 404)) return [];
    const name = decodeURIComponent(http.request.path.replace(/^\//, '').split('?')[0]);
    const server = evidence.services.find((service) => service.startStep.index < step.index && (service.startStep.placedFiles ?? []).includes(name));
    const ownPage = step.label.includes('HelloWorld.html') && step.expectations.some((expectation) => expectation.name.startsWith('body'));
    const role = server?.role ?? (ownPage ? serverOf(evidence, step) : undefined);
    if (!role || !evidence.isSubmissionRole(role)) return [];
    const opened = evidence.findingsOf(role, 'url-path-opened')[0];
    return [
      {
        code: 'path-with-leading-slash',
        role,
        steps: [step.index],
        message:
          `${evidence.programName(role)} answered 404 for ${http.request.path}, although ${name} is in its folder: it looks for the file elsewhere${opened ? `, opening the path as it came in the request${evidence.where(role, opened)}` : ''}. ` +
          `The path in the request line starts with "/": opened as it is, "/${name}" is a file at the root of the machine. Open it relative to the server's folder: open(filename[1:]).`,
      },
    ];
  });
}
