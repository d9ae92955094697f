// A tiny program that socklab starts inside one network namespace of an experiment's world
// (`ip netns exec NS node namespace-agent.js`). A process cannot change its own network namespace
// from Node, but a socket keeps the namespace it was made in: so the agent makes listening, connected
// and UDP sockets on request and hands them to socklab over the IPC channel (child_process handle
// passing). socklab's fixtures and probes then serve and connect *inside* the world, in its own
// process. The agent ends when socklab goes away.
import dgram from 'node:dgram';
import net from 'node:net';

export type AgentRequest =
  | { id: number; op: 'listen-tcp'; host: string; port: number }
  | { id: number; op: 'connect-tcp'; host: string; port: number; timeoutMs: number }
  | { id: number; op: 'bind-udp'; host: string; port: number };

export type AgentReply = { id: number; ok: true; port: number } | { id: number; ok: false; code: string; message: string };

function reply(message: AgentReply, handle?: net.Server | net.Socket | dgram.Socket, afterSend?: () => void): void {
  process.send?.(message, handle as net.Server | undefined, {}, () => afterSend?.());
}

function failure(id: number, error: NodeJS.ErrnoException): void {
  reply({ id, ok: false, code: error.code ?? 'EIO', message: error.message });
}

function listenTcp(request: Extract<AgentRequest, { op: 'listen-tcp' }>): void {
  const server = net.createServer();
  server.once('error', (error) => failure(request.id, error));
  server.listen({ host: request.host, port: request.port, exclusive: true }, () => {
    const address = server.address() as net.AddressInfo;
    // socklab now holds the listening socket; this copy goes.
    reply({ id: request.id, ok: true, port: address.port }, server, () => server.close());
  });
}

function connectTcp(request: Extract<AgentRequest, { op: 'connect-tcp' }>): void {
  const socket = net.connect({ host: request.host, port: request.port });
  const timer = setTimeout(() => {
    socket.destroy();
    reply({ id: request.id, ok: false, code: 'ETIMEDOUT', message: `connect ETIMEDOUT ${request.host}:${request.port}` });
  }, request.timeoutMs);
  socket.once('error', (error) => {
    clearTimeout(timer);
    failure(request.id, error);
  });
  socket.once('connect', () => {
    clearTimeout(timer);
    socket.pause();
    reply({ id: request.id, ok: true, port: socket.localPort ?? 0 }, socket);
  });
}

function bindUdp(request: Extract<AgentRequest, { op: 'bind-udp' }>): void {
  const socket = dgram.createSocket(request.host.includes(':') ? 'udp6' : 'udp4');
  socket.once('error', (error) => failure(request.id, error));
  socket.bind({ address: request.host, port: request.port, exclusive: true }, () => {
    reply({ id: request.id, ok: true, port: socket.address().port }, socket, () => socket.close());
  });
}

process.on('message', (request: AgentRequest) => {
  if (request.op === 'listen-tcp') listenTcp(request);
  else if (request.op === 'connect-tcp') connectTcp(request);
  else if (request.op === 'bind-udp') bindUdp(request);
});
// socklab gone (ended, crashed, killed): nothing here is worth keeping.
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
