// socklab's side of a namespace agent: starts it inside a host's network namespace and asks it for
// sockets, which arrive over the IPC channel and are then used here like any other (HostNetwork).
import { fork, type ChildProcess } from 'node:child_process';
import type dgram from 'node:dgram';
import net from 'node:net';
import path from 'node:path';
import { root } from '../socklab-root.js';
import type { AgentReply, AgentRequest } from './namespace-agent.js';
import { listenOn, type HostNetwork } from './host-network.js';

const AGENT = path.join(root, 'dist', 'harness', 'network', 'namespace-agent.js');
/** How long an agent may take to start (node's own start inside `ip netns exec`). */
const START_TIMEOUT_MS = 10_000;

type Handle = net.Server | net.Socket | dgram.Socket;
type Pending = { resolve: (value: { reply: AgentReply; handle?: Handle }) => void; reject: (error: Error) => void };

export class AgentNetwork implements HostNetwork {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private exited = false;

  private constructor(
    readonly description: string,
    readonly namespace: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (message: AgentReply, handle?: Handle) => {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      waiting.resolve({ reply: message, handle });
    });
    child.once('exit', () => {
      this.exited = true;
      for (const waiting of this.pending.values()) waiting.reject(new Error(`the namespace agent of ${description} ended`));
      this.pending.clear();
    });
  }

  /** Starts an agent in `namespace`; `description` names the host in errors and reports. */
  static async start(namespace: string, description: string): Promise<AgentNetwork> {
    // The argument names the socklab that started it, for anyone looking at `ps` (and for tests).
    const child = fork(AGENT, [`--socklab=${process.pid}`], {
      execPath: 'ip',
      execArgv: ['netns', 'exec', namespace, process.execPath],
      // Not tagged for the escaped-process sweep: it is socklab's own, and ends when its IPC channel closes.
      env: process.env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`the namespace agent of ${description} did not start within ${START_TIMEOUT_MS}ms`)), START_TIMEOUT_MS);
      const fail = (error: Error) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(error);
      };
      child.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      child.once('error', fail);
      child.once('exit', (code, signal) => fail(new Error(`the namespace agent of ${description} ended at start (${signal ?? `exit ${code}`}): ${stderr.trim()}`)));
    });
    child.removeAllListeners('exit');
    return new AgentNetwork(description, namespace, child);
  }

  async serve(server: net.Server, address: string, port: number): Promise<number> {
    const listening = (await this.request({ op: 'listen-tcp', host: address, port })) as net.Server;
    return listenOn(server, listening);
  }

  async connectTcp(address: string, port: number, timeoutMs: number): Promise<net.Socket> {
    return (await this.request({ op: 'connect-tcp', host: address, port, timeoutMs })) as net.Socket;
  }

  async bindUdp(address: string, port: number): Promise<dgram.Socket> {
    return (await this.request({ op: 'bind-udp', host: address, port })) as dgram.Socket;
  }

  /** Ends the agent; sockets it already handed over stay with socklab. */
  stop(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  private async request(request: DistributiveOmit<AgentRequest, 'id'>): Promise<Handle> {
    if (this.exited) throw new Error(`the namespace agent of ${this.description} has ended`);
    const id = this.nextId++;
    const { reply, handle } = await new Promise<{ reply: AgentReply; handle?: Handle }>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...request, id } as AgentRequest);
    });
    if (!reply.ok) throw Object.assign(new Error(reply.message), { code: reply.code });
    if (!handle) throw new Error(`the namespace agent of ${this.description} answered without a socket`);
    return handle;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
