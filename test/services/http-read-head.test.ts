import { expect } from 'chai';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { HeadReadError, readHead, type HeadFailure, type HeadReadOptions } from '../../services/lib/http/read-head.js';

// readHead on a real loopback connection: the client side writes, the server side reads the head.

describe('http readHead', () => {
  let server: Server;
  const sockets: Socket[] = [];

  beforeEach(async () => {
    server = createServer({ allowHalfOpen: true });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
    server.close();
  });

  /** A connected pair: `client` writes, `served` is what readHead reads from. */
  async function connection(): Promise<{ client: Socket; served: Socket }> {
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    const client = connect((server.address() as { port: number }).port, '127.0.0.1');
    const [served] = await accepted;
    sockets.push(client, served);
    return { client, served };
  }

  async function failure(served: Socket, options: HeadReadOptions): Promise<HeadFailure> {
    try {
      await readHead(served, options);
    } catch (error) {
      if (error instanceof HeadReadError) return error.failure;
      throw error;
    }
    throw new Error('readHead resolved');
  }

  it('hands back the head and the body bytes that came with it, written in pieces', async () => {
    const { client, served } = await connection();
    const read = readHead(served, { limit: 1024 });
    client.write('GET / HTTP/1.1\r\nHo');
    setTimeout(() => client.write('st: a\r\n\r\nBODY'), 20);
    const { head, rest } = await read;
    expect(head.toString('latin1')).to.equal('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(rest.toString('latin1')).to.equal('BODY');
  });

  it('starts from bytes already read (what followed an interim response)', async () => {
    const { client, served } = await connection();
    const read = readHead(served, { limit: 1024, initial: Buffer.from('HTTP/1.1 200 OK\r\n') });
    client.write('\r\n');
    expect((await read).head.toString('latin1')).to.equal('HTTP/1.1 200 OK\r\n\r\n');
  });

  it('fails with what was received: too large, closed before the blank line, or out of time', async () => {
    const big = await connection();
    big.client.write(`GET / HTTP/1.1\r\nX: ${'a'.repeat(100)}`);
    expect(await failure(big.served, { limit: 64 })).to.deep.include({ kind: 'too-large', limit: 64 });

    const closed = await connection();
    closed.client.end('GET / HTTP/1.1\r\n');
    const cut = await failure(closed.served, { limit: 1024 });
    expect(cut.kind).to.equal('closed');
    expect(cut.kind === 'closed' && cut.received.toString('latin1')).to.equal('GET / HTTP/1.1\r\n');

    const slow = await connection();
    slow.client.write('GET /slow HTTP/1.1\r\n');
    const started = Date.now();
    const late = await failure(slow.served, { limit: 1024, timeoutMs: 200 });
    expect(Date.now() - started).to.be.within(150, 2000);
    expect(late.kind === 'timeout' && late.received.toString('latin1')).to.equal('GET /slow HTTP/1.1\r\n');
  });
});
