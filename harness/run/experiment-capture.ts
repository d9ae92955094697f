// Packet capture around one experiment: tcpdump filtered to the experiment's own ports, started
// before the first step and stopped after teardown (so the closing FIN/RST are in), then decoded
// into a summary and checked against `capture.expect`. A missing or forbidden tcpdump is a note
// ("capture skipped: …"), never a failure; a capture that broke is a harness error of that check.
import path from 'node:path';
import { evaluateCaptureExpectations, startCapture, summarizeCapture, type CaptureSession } from '../capture/index.js';
import type { CaptureResult } from '../model/result.js';
import type { ExperimentPlan, PlannedCapture } from '../plan/experiment-plan.js';

export class ExperimentCapture {
  private constructor(
    private readonly session: CaptureSession,
    private readonly pcapName: string,
    private readonly planned: PlannedCapture,
    private readonly endpointNames: Record<string, string>,
  ) {}

  /**
   * On two hosts, `on` is the Internet host's namespace and bridge: the capture then sees the wire between
   * the hosts. Without a namespace, `on` is an interface of this machine (`any` toward another machine).
   */
  static async start(plan: ExperimentPlan, planned: PlannedCapture, outputDir: string, on?: { netns?: string; device: string }): Promise<ExperimentCapture> {
    const pcapName = `${plan.spec.id}.pcap`;
    // The world's switch carries only this experiment's packets: everything on it is evidence.
    const session = await startCapture({ ports: on?.netns ? 'all' : planned.ports, file: path.join(outputDir, pcapName), ...(on ? { netns: on.netns, interface: on.device } : {}) });
    const addresses = [...new Set(Object.values(plan.hosts))];
    const endpointNames = Object.fromEntries(Object.entries(plan.ports).flatMap(([name, port]) => addresses.map((address) => [`${address}:${port}`, name])));
    return new ExperimentCapture(session, pcapName, planned, endpointNames);
  }

  /** Stops tcpdump, decodes what it saw and checks the spec's expectations against it. */
  async finish(): Promise<CaptureResult> {
    const stop = await this.session.stop();
    const capture: CaptureResult = { status: 'captured', interface: this.session.interface, filter: this.session.filter, endpointNames: this.endpointNames };
    if (!stop.ok) {
      capture.status = stop.status;
      capture.reason = `capture ${stop.status}: ${stop.reason}`;
      return capture;
    }
    capture.pcapFile = this.pcapName;
    try {
      capture.summary = await summarizeCapture(stop.file, { endpointNames: this.endpointNames });
    } catch (error) {
      capture.status = 'failed';
      capture.reason = `capture failed: the pcap could not be read: ${error instanceof Error ? error.message : String(error)}`;
    }
    const notes = [
      ...(stop.packetsDropped > 0 ? [`tcpdump dropped ${stop.packetsDropped} packet(s): the summary may be incomplete`] : []),
      ...(stop.flushConfirmed ? [] : ['the last packets may be missing (tcpdump could not confirm its final flush)']),
    ];
    if (notes.length) capture.notes = notes;
    if (this.planned.expect && capture.summary) capture.expectations = evaluateCaptureExpectations(this.planned.expect, capture.summary, this.endpointNames);
    return capture;
  }
}
