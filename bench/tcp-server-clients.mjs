// 6c. The TCP uppercase server with 50 clients at once: each connects, sends a line, half-closes and
// reads the reply until the server closes, as our tcp-client does.
import net from 'node:net';
import { HOST } from './lib/ports.mjs';
import { stopProcess } from './lib/processes.mjs';
import { startService } from './lib/services.mjs';
import { median, p95 } from './lib/stats.mjs';

export const name = 'tcp-server-clients';
export const title = 'tcp-server with 50 concurrent clients';

const CLIENTS = 50;

export async function run({ repeat, log }) {
  const rounds = repeat(5);
  const server = await startService('tcp-server');
  const totalMs = [];
  const perClientMs = [];
  try {
    for (let index = 0; index < rounds; index += 1) {
      log(`round ${index + 1}/${rounds}`);
      const started = performance.now();
      const clients = await Promise.all(Array.from({ length: CLIENTS }, (_, client) => roundTrip(server.port, `hello from client ${client}`)));
      totalMs.push(performance.now() - started);
      const wrong = clients.filter((client) => !client.ok);
      if (wrong.length) throw new Error(`${wrong.length} of ${CLIENTS} clients got no right reply: ${wrong[0].error}`);
      perClientMs.push(...clients.map((client) => client.ms));
    }
  } finally {
    await stopProcess(server.proc);
  }
  return {
    figures: [
      { figure: `${CLIENTS} clients at once: total, median of rounds`, value: median(totalMs), unit: 'ms' },
      { figure: 'per client (connect → reply complete), median', value: median(perClientMs), unit: 'ms' },
      { figure: 'per client, p95', value: p95(perClientMs), unit: 'ms' },
    ],
    samples: { totalMs, perClientMs },
    notes: [`${rounds} rounds of ${CLIENTS} clients`],
  };
}

function roundTrip(port, line) {
  return new Promise((resolve) => {
    const started = performance.now();
    const chunks = [];
    const socket = net.connect({ host: HOST, port }, () => socket.end(`${line}\n`));
    socket.setTimeout(10_000, () => socket.destroy(new Error('no reply within 10 s')));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => {
      const reply = Buffer.concat(chunks).toString();
      resolve({ ok: reply === `${line.toUpperCase()}\n`, ms: performance.now() - started, error: `got ${JSON.stringify(reply.slice(0, 80))}` });
    });
    socket.on('error', (error) => resolve({ ok: false, ms: performance.now() - started, error: error.message }));
  });
}
