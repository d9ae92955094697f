import { createSocket } from 'node:dgram';
import { formatAddress, udpSocketTypeFor } from './lib/common/address.js';
import { parseCommandLineOrExit, parseServerCommandLine } from './lib/common/cli-args.js';
import { describeError } from './lib/common/describe-error.js';
import { createProgramOutput } from './lib/common/program-output.js';
import { exitCleanlyOnSignals } from './lib/common/shutdown.js';
import { uppercaseAscii } from './lib/common/uppercase.js';

// Reference UDP server for the lab: every datagram goes back to its sender with a–z turned into A–Z,
// as the lab's UDPServer.py does with recvfrom/sendto.

const USAGE = `usage: udp-server PORT [--host HOST]
       udp-server --port PORT [--host HOST]
  Binds HOST:PORT (HOST defaults to 127.0.0.1, an IPv6 address binds udp6; PORT 0 picks a free port)
  and answers every datagram with its bytes, a–z turned into A–Z. Prints
  "udp-server listening on HOST:PORT" once ready and one line per datagram. Stops with exit
  status 0 on SIGTERM or SIGINT.`;

const output = createProgramOutput('udp-server');
const { host, port } = parseCommandLineOrExit(output, USAGE, () => parseServerCommandLine(process.argv.slice(2)));
const socket = createSocket({ type: udpSocketTypeFor(host) });

let listening = false;
socket.on('error', (error) => {
  if (!listening) output.fail(`cannot listen on ${formatAddress(host, port)}: ${describeError(error)}`);
  output.warn(`socket error: ${describeError(error)}`);
});

socket.on('message', (datagram, sender) => {
  const peer = formatAddress(sender.address, sender.port);
  output.say(`udp-server: ${peer} sent ${datagram.length} bytes`);
  socket.send(uppercaseAscii(datagram), sender.port, sender.address, (error) => {
    // One sender we cannot answer (e.g. unreachable) must not stop the others being served.
    if (error) output.warn(`cannot reply to ${peer}: ${describeError(error)}`);
  });
});

socket.bind({ address: host, port }, () => {
  listening = true;
  output.say(`udp-server listening on ${formatAddress(host, socket.address().port)}`);
});

exitCleanlyOnSignals(
  (signal) => output.say(`udp-server: ${signal} received, closing`),
  () => new Promise<void>((resolve) => socket.close(() => resolve())),
);
