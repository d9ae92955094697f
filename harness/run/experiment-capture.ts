// Packet capture around one experiment: tcpdump filtered to the experiment's own ports, started
// before the first step and stopped after teardown (so the closing FIN/RST are in), then decoded
// into a summary and checked against `capture.expect`. A missing or forbidden tcpdump is a note
// ("capture skipped: …"), never a failure; a capture that broke is a harness error of that check.
import path from 'node:path';
import { evaluateCaptureExpectations, startCapture, summarizeCapture, type CaptureSession } from '../capture/index.js';
import type { CaptureResult, ExperimentResult, StepResult } from '../model/result.js';
import type { CaptureOption } from '../capture/capture-option.js';

export class ExperimentCapture {
  private constructor(
    private readonly session: CaptureSession,
    private readonly pcapName: string,
  ) {}

  /** On two hosts, pass the server host's namespace and veth device: the capture then sees the wire between them. */
  static async start(experimentId: string, ports: number[], outputDir: string, on?: { netns: string; device: string }): Promise<ExperimentCapture> {
    const pcapName = `${experimentId}.pcap`;
    const session = await startCapture({ ports, file: path.join(outputDir, pcapName), ...(on ? { netns: on.netns, interface: on.device } : {}) });
    return new ExperimentCapture(session, pcapName);
  }

  /** Stops tcpdump, decodes what it saw, and returns the result plus a `capture` step when expectations were given. */
  async finish(result: ExperimentResult, option: CaptureOption | undefined, startedAt: number): Promise<StepResult | null> {
    const endpointNames = Object.fromEntries(Object.entries(result.ports).map(([name, port]) => [`${result.hosts.server}:${port}`, name]));
    const stop = await this.session.stop();
    const capture: CaptureResult = { status: 'captured', interface: this.session.interface, filter: this.session.filter, endpointNames };
    const step = captureStep(result.steps.length, startedAt);
    if (!stop.ok) {
      capture.status = stop.status;
      capture.reason = `capture ${stop.status}: ${stop.reason}`;
    } else {
      capture.pcapFile = this.pcapName;
      try {
        capture.summary = await summarizeCapture(stop.file, { endpointNames });
      } catch (error) {
        capture.status = 'failed';
        capture.reason = `capture failed: the pcap could not be read: ${error instanceof Error ? error.message : String(error)}`;
      }
      if (stop.packetsDropped > 0) step.notes.push(`tcpdump dropped ${stop.packetsDropped} packet(s): the summary may be incomplete`);
      if (!stop.flushConfirmed) step.notes.push('the last packets may be missing (tcpdump could not confirm its final flush)');
    }
    result.capture = capture;
    const expect = typeof option === 'object' ? option.expect : undefined;
    if (!expect) return null;
    if (!capture.summary) {
      // Nothing to check against: say so, and do not count it as the program's failure.
      step.status = 'skipped';
      step.skipReason = capture.reason;
      step.notes.push(capture.reason ?? 'no capture');
      return step;
    }
    step.expectations = evaluateCaptureExpectations(expect, capture.summary, endpointNames);
    step.status = step.expectations.every((expectation) => expectation.ok) ? 'passed' : 'failed';
    step.notes.push(...capture.summary.events.slice(0, 20).map((event) => event.text));
    return step;
  }
}

function captureStep(index: number, startedAt: number): StepResult {
  return {
    index,
    kind: 'capture',
    label: 'packets on the wire (tcpdump)',
    status: 'passed',
    startedAtMs: Math.round(performance.now() - startedAt),
    durationMs: 0,
    expectations: [],
    notes: [],
    location: { file: '', line: 0, column: 0 },
  };
}
