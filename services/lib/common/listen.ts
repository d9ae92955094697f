// Listening for the TCP servers (tcp-server, web-server, proxy): a failure to listen is one line
// naming the error and exit 1; errors after that (accept failing with EMFILE) are warnings, and the
// server keeps serving the clients it can.
import type { Server } from 'node:net';
import { formatAddress } from './address.js';
import { describeError } from './describe-error.js';
import type { ProgramOutput } from './program-output.js';

/** Calls `onListening` with the port actually bound (PORT 0 picks a free one). */
export function listenOrFail(server: Server, host: string, port: number, output: ProgramOutput, onListening: (boundPort: number) => void): void {
  let listening = false;
  server.on('error', (error) => {
    if (!listening) output.fail(`cannot listen on ${formatAddress(host, port)}: ${describeError(error)}`);
    output.warn(`server error: ${describeError(error)}`);
  });
  server.listen({ host, port }, () => {
    listening = true;
    const bound = server.address();
    onListening(bound && typeof bound === 'object' ? bound.port : port);
  });
}
