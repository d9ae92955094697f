import { expect } from 'chai';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { allocatePorts, releasePorts } from '../../harness/plan/allocate-ports.js';

describe('allocatePorts', () => {
  it('gives distinct ports, each free for both TCP and UDP on loopback', async () => {
    const ports = await allocatePorts(['a', 'b', 'c', 'd', 'e']);
    const numbers = Object.values(ports);
    expect(Object.keys(ports)).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
    expect(new Set(numbers).size).to.equal(5);
    for (const port of numbers) {
      await new Promise<void>((resolve, reject) => {
        const server = createServer().once('error', reject);
        server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
      });
      await new Promise<void>((resolve, reject) => {
        const socket = createSocket('udp4').once('error', reject);
        socket.bind(port, '127.0.0.1', () => socket.close(() => resolve()));
      });
    }
    releasePorts(numbers);
  });

  it('never hands out the same port twice while it is in use, across many allocations at once', async () => {
    const batches = await Promise.all(Array.from({ length: 10 }, (_, index) => allocatePorts([`x${index}`, `y${index}`])));
    const all = batches.flatMap((batch) => Object.values(batch));
    expect(new Set(all).size).to.equal(all.length);
    releasePorts(all);
  });
});
