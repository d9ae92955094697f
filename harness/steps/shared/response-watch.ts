// A wait for a response that socklab itself reads (an HTTP request it sent, a page its browser asked
// for) ends as its timeout would once no response can come any more: every program of the experiment
// waits for input that nothing is going to send (stillness), and nothing reached socklab meanwhile.
import type { Stillness } from '../../process/stillness.js';
import { formatDuration } from '../../schema/duration.js';
import type { StepContext } from '../step-kind.js';

export class ResponseWatch {
  private readonly decision = new AbortController();
  private readonly settled = new AbortController();
  private lastProgress = -Infinity;
  private stillness: Stillness | null = null;

  /** `deadline`: performance.now() when the wait would time out. */
  constructor(
    private readonly context: StepContext,
    private readonly deadline: number,
  ) {}

  /** Aborted (with why) once no response can come any more. */
  get decided(): AbortSignal {
    return this.decision.signal;
  }

  /** Whether the wait was ended early. */
  get stoppedEarly(): boolean {
    return this.decision.signal.aborted;
  }

  /** Something reached socklab (a response byte, a page's response): stillness since before then does not count. */
  progress(): void {
    this.lastProgress = performance.now();
  }

  /** Call once everything has been asked: watches for stillness until decided or settled. */
  async watch(): Promise<void> {
    do this.stillness = await this.context.untilStill(null, this.deadline, AbortSignal.any([this.context.signal, this.settled.signal]));
    while (this.stillness && this.lastProgress >= this.stillness.since);
    if (this.stillness) this.decision.abort(`no complete response, and none could come any more: every program waited for input that nothing was going to send (${this.stillness.waits.join(', ')})`);
  }

  /** The wait is over (answered, failed or timed out): stop watching. */
  settle(): void {
    this.settled.abort();
  }

  /** The step's note when it was ended early. */
  notes(wallMs: number, timeoutMs: number): string[] {
    return this.stoppedEarly ? [`stopped after ${formatDuration(wallMs)} instead of waiting out its ${formatDuration(timeoutMs)} timeout: no response could come any more`] : [];
  }
}
