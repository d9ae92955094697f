// Rules read from what the web server and the proxy did on the wire: a response shorter than its
// Content-Length (one recv() per response), a proxy that never answers a cache miss, a server that
// closed its listening socket after a 404, a file from outside the server's folder, a program that
// crashed on a missing environment variable.
import type { HttpDetails, StepResult } from '../model/result.js';
import type { ExperimentEvidence } from './diagnose-evidence.js';
import { exceptionLine, tracebackFrames } from './diagnose-evidence.js';
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
    return [
      {
        code: 'short-body',
        role,
        steps: [step.index],
        message:
          `${evidence.programName(role)} sent ${short.bodyBytes} of the ${short.headers['content-length']} bytes its Content-Length announced, then stopped. ` +
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
          `${evidence.programName(role)} fetched ${path} from the origin (the origin answered) but never answered its client. ` +
          `After a cache miss, read the origin's whole response (until it closes the connection, or as long as its Content-Length says), then send it to the client and close.`,
      },
    ];
  });
}

/** The web server still runs, but a request after a 404 finds nothing listening: it closed its listening socket. */
export function findClosedListeningSocket(evidence: ExperimentEvidence): Finding[] {
  return evidence.experiment.steps.flatMap((step) => {
    const refused = httpOf(step)?.exchanges.some((exchange) => exchange.error?.code === 'ECONNREFUSED');
    if (step.status !== 'failed' || !refused) return [];
    const role = serverOf(evidence, step);
    const service = evidence.services.find((candidate) => candidate.role === role);
    const stillRunning = service?.final === undefined || service.final.stillRunning;
    const after404 = evidence.experiment.steps.some((earlier) => earlier.index < step.index && httpOf(earlier)?.exchanges.some((exchange) => exchange.status === 404));
    if (!role || !service?.ready || !stillRunning || !after404) return [];
    return [
      {
        code: 'closes-listening-socket',
        role,
        steps: [step.index],
        message:
          `${evidence.programName(role)} kept running after answering 404, but no longer accepted connections: it closed its listening socket (serverSocket.close()) in the 404 branch. ` +
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
          `${evidence.programName(run.role)} stopped at line ${frame!.line} (${frame!.source!}): the environment variable ${variable} is not set where it runs. ` +
          `Read it with os.environ.get('${variable}') and say what is missing (or take the value from the command line) instead of crashing with KeyError.`,
      },
    ];
  });
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
    return [
      {
        code: 'path-with-leading-slash',
        role,
        steps: [step.index],
        message:
          `${evidence.programName(role)} answered 404 for ${http.request.path}, although ${name} is in its folder: it looks for the file elsewhere. ` +
          `The path in the request line starts with "/": opened as it is, "/${name}" is a file at the root of the machine. Open it relative to the server's folder: open(filename[1:]).`,
      },
    ];
  });
}
