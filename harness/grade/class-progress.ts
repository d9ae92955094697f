// Progress of a class run: students done / total with an estimate of the time left. A rewritten line
// on a terminal, plain lines in CI.
import type { RunResult } from '../model/result.js';

export class ClassProgress {
  private done = 0;
  private readonly started = performance.now();
  private readonly tty: boolean;

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stdout,
  ) {
    this.tty = Boolean(stream.isTTY) && !process.env.CI;
  }

  studentDone(student: string, run: RunResult): void {
    this.done += 1;
    const elapsed = performance.now() - this.started;
    const left = (elapsed / this.done) * (this.total - this.done);
    const eta = this.done < this.total ? `, about ${Math.ceil(left / 1000)}s left` : '';
    const line = `[${this.done}/${this.total}] ${student}: ${run.score}/${run.maxScore} points${run.counts.error ? ` (${run.counts.error} harness errors)` : ''}${eta}`;
    if (this.tty) this.stream.write(`\r\x1b[2K${line}${this.done === this.total ? '\n' : ''}`);
    else this.stream.write(`${line}\n`);
  }
}
