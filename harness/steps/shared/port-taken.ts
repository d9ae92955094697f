// A fixture (origin, SMTP sink, relay) that cannot listen: someone else, perhaps the program under
// test, holds the port. That is a failure of the experiment, not of socklab.
import type { StepOutcome } from '../step-kind.js';

export function portTaken(what: string, port: unknown, error: unknown): StepOutcome {
  const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
  const message = `${what} cannot listen on port ${String(port)}: ${code} (${(error as Error).message})`;
  return { expectations: [{ name: 'listen', ok: false, expected: `${what} listening on port ${String(port)}`, actual: code, message }], stopExperiment: true };
}
