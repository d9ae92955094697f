import { createSocket } from 'node:dgram';
import { formatAddress, resolveHostPreferringIpv4 } from './lib/common/address.js';
import { parseClientCommandLine, parseCommandLineOrExit } from './lib/common/cli-args.js';
import { codedError, describeError } from './lib/common/describe-error.js';
import { formatDuration } from './lib/common/duration.js';
import { createProgramOutput, writeStdoutAndExit } from './lib/common/program-output.js';
import { messageOrStdinLine } from './lib/common/read-line.js';

// Reference UDP client for the lab: one datagram out, one datagram back.
//
// The socket is deliberately left unconnected (sendto/recvfrom, like UDPClient.py): the kernel then
// does not report an ICMP port-unreachable to us, so with no server running the client just waits.
// That silence is what lab Problem 2 asks students to observe and explain; --timeout bounds it.

const USAGE = `usage: udp-client HOST PORT [--message TEXT] [--timeout DURATION]
  Sends one line read from stdin (without its newline) or TEXT as one datagram to HOST:PORT and
  prints the first datagram that comes back from there, plus a newline.
  --message TEXT       send TEXT instead of reading stdin
  --timeout DURATION   give up after DURATION, e.g. 2s, 500ms, or 2 (seconds); default: wait forever,
                       as the lab's client does when no server answers
  Exit status: 0 reply printed, 1 failure or timeout (one line on stderr), 2 bad usage.`;

const output = createProgramOutput('udp-client');
const { host, port, message, timeoutMs } = parseCommandLineOrExit(output, USAGE, () =>
  parseClientCommandLine(process.argv.slice(2)),
);
const server = formatAddress(host, port);
let phase: 'waiting for input' | 'resolving the host' | 'waiting for the reply' = 'waiting for input';

if (timeoutMs !== undefined) {
  setTimeout(() => {
    const limit = formatDuration(timeoutMs);
    const timedOut = codedError('ETIMEDOUT', `timed out after ${limit}`);
    if (phase === 'waiting for input') {
      output.fail(`gave up on ${server} after ${limit}, still waiting for a line on stdin: ${describeError(timedOut)}`);
    }
    if (phase === 'resolving the host') {
      output.fail(`cannot send to ${server}: host name lookup took over ${limit}: ${describeError(timedOut)}`);
    }
    output.fail(`no reply from ${server} within ${limit}: ${describeError(timedOut, 'no datagram came back')}`);
  }, timeoutMs).unref();
}

// Line first, then the name lookup, in the order of UDPClient.py (input(), then sendto resolves).
const line = await messageOrStdinLine(message).catch((error: unknown) =>
  output.fail(`cannot read the line to send from stdin: ${describeError(error)}`),
);
phase = 'resolving the host';
const target = await resolveHostPreferringIpv4(host).catch((error: unknown) =>
  output.fail(`cannot send to ${server}: ${describeError(error)}`),
);

phase = 'waiting for the reply';
const socket = createSocket({ type: target.family === 6 ? 'udp6' : 'udp4' });
socket.on('error', (error) => output.fail(`socket error talking to ${server}: ${describeError(error)}`));
socket.on('message', (datagram, sender) => {
  // An unconnected socket hears from anyone; only the server's answer counts.
  if (sender.address !== target.address || sender.port !== port) return;
  writeStdoutAndExit(Buffer.concat([datagram, Buffer.from('\n')]));
});
socket.send(line, port, target.address, (error) => {
  if (error) output.fail(`cannot send to ${server}: ${describeError(error)}`);
});
