import { connect } from 'node:net';
import { formatAddress } from './lib/common/address.js';
import { parseClientCommandLine, parseCommandLineOrExit } from './lib/common/cli-args.js';
import { codedError, describeError } from './lib/common/describe-error.js';
import { formatDuration } from './lib/common/duration.js';
import { createProgramOutput, writeStdoutAndExit } from './lib/common/program-output.js';
import { messageOrStdinLine } from './lib/common/read-line.js';

// Reference TCP client for the lab: sends one line, half-closes, prints the server's whole reply.
//
// It connects before reading the line, in the order of the lab's TCPClient.py: run before the
// server (lab Problem 1), it reports ECONNREFUSED at once instead of after a sentence was typed.

const USAGE = `usage: tcp-client HOST PORT [--message TEXT] [--timeout DURATION]
  Connects to the TCP server at HOST:PORT, sends one line read from stdin (without its newline) or
  TEXT, half-closes, and prints everything the server sends back until it closes, plus a newline.
  --message TEXT       send TEXT instead of reading stdin
  --timeout DURATION   give up after DURATION, e.g. 3s, 500ms, or 2 (seconds); default: wait forever
  Exit status: 0 reply printed, 1 network failure (one line on stderr), 2 bad usage.`;

type Phase = 'connecting' | 'waiting for input' | 'waiting for the reply';

const output = createProgramOutput('tcp-client');
const { host, port, message, timeoutMs } = parseCommandLineOrExit(output, USAGE, () =>
  parseClientCommandLine(process.argv.slice(2)),
);
const server = formatAddress(host, port);
const replyChunks: Buffer[] = [];
let phase: Phase = 'connecting';

if (timeoutMs !== undefined) {
  setTimeout(() => failAfterTimeout(timeoutMs), timeoutMs).unref();
}

const socket = connect({ host, port });

socket.on('connect', () => {
  phase = 'waiting for input';
  const lineRead = messageOrStdinLine(message).catch((error: unknown) =>
    output.fail(`cannot read the line to send from stdin: ${describeError(error)}`),
  );
  void lineRead.then((line) => {
    phase = 'waiting for the reply';
    // end() sends the line and then FIN: the server knows the message is complete and closes
    // after its reply, which is how we know the reply is complete.
    socket.end(line);
  });
});
socket.on('data', (chunk: Buffer) => replyChunks.push(chunk));
socket.on('end', () => writeStdoutAndExit(Buffer.concat([...replyChunks, Buffer.from('\n')])));
socket.on('error', (error) => {
  if (phase === 'connecting') output.fail(`cannot connect to ${server}: ${describeError(error)}`);
  output.fail(`lost the connection to ${server} while ${phase}: ${describeError(error)}`);
});

function failAfterTimeout(limitMs: number): never {
  const limit = formatDuration(limitMs);
  const timedOut = codedError('ETIMEDOUT', `timed out after ${limit}`);
  switch (phase) {
    case 'connecting':
      return output.fail(`cannot connect to ${server} within ${limit}: ${describeError(timedOut, 'connection timed out')}`);
    case 'waiting for input':
      return output.fail(
        `gave up on ${server} after ${limit}, still waiting for a line on stdin: ${describeError(timedOut)}`,
      );
    case 'waiting for the reply': {
      const received = replyChunks.reduce((total, chunk) => total + chunk.length, 0);
      return output.fail(
        `no complete reply from ${server} within ${limit}: ` +
          describeError(timedOut, `got ${received} bytes; the server did not close the connection`),
      );
    }
  }
}
