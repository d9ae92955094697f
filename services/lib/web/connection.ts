import type { Socket } from 'node:net';
import { formatAddress } from '../common/address.js';
import { describeError } from '../common/describe-error.js';
import { formatDuration } from '../common/duration.js';
import { PipelinedHeads } from '../http/pipelined-heads.js';
import { headTooLargeError, unreadHeadError } from '../http/request-head.js';
import { answerForRefusedHead, answerForRequest, answerForServerError, type Answer } from './answer.js';
import type { DocumentStore } from './documents.js';
import { clientSendsNoMore, persistenceAfter, type Persistence, type PersistenceLimits } from './keep-alive.js';
import { parseLocatedWebRequestHead, type FinishedHead } from './request.js';
import { formatResponseHead, loggableRequestLine } from './response.js';
import { sendAnswer } from './send-answer.js';

// One client connection: requests read one after the other (pipelined ones from the same segment
// too), each answered completely and in order, until a side asks to close, the connection idles
// past its timeout, or it reaches its request limit. Event-driven, so a client that stalls holds
// only its own socket and timers, never the other clients.
//
//   waiting ──head──▶ answering ──response written──▶ waiting (keep-alive) │ closing (close)
//                                 └─socket buffer full─▶ draining ──drain──▶ waiting

export interface ConnectionOptions {
  documents: DocumentStore;
  /** A request head must be complete this long after its first byte (the first request: after connecting). */
  headerTimeoutMs: number;
  limits: PersistenceLimits;
  maxHeadBytes: number;
  /** One line per answered request, on stdout. */
  log(line: string): void;
  /** Problems of one connection, on stderr. */
  warn(line: string): void;
  /**
   * Called when the connection has something to answer (a complete head, a refused one, or a
   * timeout): 'answer'; 'answer-last' to answer and close (--once: this is the one request);
   * 'refuse' to drop the connection unanswered (--once: the one request is already taken).
   */
  claim(): 'answer' | 'answer-last' | 'refuse';
  /** After the socket is fully closed; `answered` says whether a response was started. */
  onClosed(answered: boolean): void;
}

/** After our FIN, how long the client may take to close its side before the socket is destroyed. */
const LINGER_MS = 2000;
/**
 * A client that stops reading the response for this long is cut off. Armed only while a response is
 * not yet all in the kernel (a file streaming, a full socket buffer): a small response written at
 * once needs no timer, which under "Connection: close" saves one per connection.
 */
const RESPONSE_IDLE_MS = 30_000;
/** Pipelined bytes kept while a response is being written; past this the socket stops reading. */
const PIPELINE_BUFFER_BYTES = 64 * 1024;

type State = 'waiting' | 'answering' | 'draining' | 'closing';

export function serveConnection(socket: Socket, options: ConnectionOptions): void {
  new WebConnection(socket, options).start();
}

class WebConnection {
  private readonly peer: string;
  private readonly heads: PipelinedHeads;
  private state: State = 'waiting';
  private requestsTaken = 0;
  private inputEnded = false;
  /** Set by this class's own cork(), so that one uncork() undoes it. */
  private corked = false;
  /** The header timeout or the idle timeout, whichever the waiting state is under. */
  private waitTimer: NodeJS.Timeout | undefined;
  private waitTimerKind: 'header' | 'idle' | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  private abortBody: (() => void) | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly options: ConnectionOptions,
  ) {
    // Captured now: after a reset Node no longer knows the remote address.
    this.peer = formatAddress(socket.remoteAddress ?? 'unknown', socket.remotePort ?? 0);
    this.heads = new PipelinedHeads(options.maxHeadBytes);
  }

  start(): void {
    const { socket } = this;
    socket.on('timeout', () => {
      this.options.warn(`${this.peer}: stopped reading the response for ${formatDuration(RESPONSE_IDLE_MS)}, closing the connection`);
      socket.destroy();
    });
    // A client misbehaving (reset, vanished) is that connection's problem, never the server's.
    socket.on('error', (error) => this.options.warn(`${this.peer}: ${describeError(error)}`));
    socket.on('close', () => {
      this.clearWaitTimer();
      clearTimeout(this.lingerTimer);
      this.abortBody?.();
      this.options.onClosed(this.requestsTaken > 0);
    });
    socket.on('data', (chunk: Buffer) => {
      // Closing: whatever else arrives is read and dropped, since closing with unread bytes makes the
      // kernel send RST, which can destroy the response before the client has read it.
      if (this.state === 'closing') return;
      this.heads.push(chunk);
      if (this.state === 'waiting') this.takeRequests();
      else if (this.heads.bufferedBytes > PIPELINE_BUFFER_BYTES) socket.pause();
    });
    socket.on('end', () => {
      this.inputEnded = true;
      if (this.state === 'waiting') this.takeRequests();
    });
    // The first request's header timeout runs from the connection's start, as the lab's server's would.
    this.armWaitTimer('header');
  }

  /** Answers every complete head in order, until one is being answered or no complete head is left. */
  private takeRequests(): void {
    while (this.state === 'waiting') {
      const next = this.heads.take();
      if (next.outcome === 'incomplete') return this.waitForMore();
      this.clearWaitTimer();
      // Pipelined requests behind this one: their responses go out together when the socket uncorks.
      if (this.heads.bufferedBytes > 0) this.cork();
      if (next.outcome === 'too-large') this.answer({ outcome: 'error', error: headTooLargeError(next.received, this.options.maxHeadBytes) });
      else this.answer(parseLocatedWebRequestHead(next.bytes, next.bounds));
    }
  }

  private waitForMore(): void {
    this.uncork();
    if (this.socket.isPaused()) this.socket.resume();
    const begun = this.heads.begun;
    if (this.inputEnded) {
      // Half a head and then FIN: 400. Nothing (a port probe, or the end of a kept-alive connection): close quietly.
      if (begun) return this.answer({ outcome: 'error', error: unreadHeadError({ kind: 'closed', received: this.heads.received }) });
      return this.closeGracefully();
    }
    if (begun || this.requestsTaken === 0) this.armWaitTimer('header');
    else this.armWaitTimer('idle');
  }

  private answer(head: FinishedHead): void {
    const claim = this.options.claim();
    if (claim === 'refuse') return void this.socket.destroy();
    this.requestsTaken += 1;
    this.state = 'answering';
    if (head.outcome === 'error') {
      // A refused head says nothing reliable about where the next request would start: close.
      return this.send(answerForRefusedHead(head.error), 'close', head.error.requestLine);
    }
    const { request } = head;
    const number = this.requestsTaken;
    answerForRequest(request, this.options.documents).then(
      (answer) => {
        // Object literals of one shape, not spreads: V8 migrated object maps on every request here.
        const answered = { version: request.version, headers: request.headers, status: answer.status, number };
        const persistence = claim === 'answer-last' ? 'close' : persistenceAfter(answered, this.options.limits);
        this.send(answer, persistence, request.requestLine, claim === 'answer' && clientSendsNoMore(request.version, request.headers));
      },
      (error: unknown) => {
        this.options.warn(`${this.peer}: cannot answer "${loggableRequestLine(request.requestLine)}": ${describeError(error)}`);
        this.send(answerForServerError(), 'close', request.requestLine);
      },
    );
  }

  /** `clientDone`: the client said this is its last request (see closeAtOnce). */
  private send(answer: Answer, connection: Persistence, requestLine: string, clientDone = false): void {
    if (this.socket.destroyed) {
      // The client left while the file was being looked up.
      if (answer.body.kind === 'file') void answer.body.handle.close();
      return;
    }
    const logLine = (bodyBytes: number) => `web-server: ${this.peer} "${loggableRequestLine(requestLine)}" ${answer.status} ${bodyBytes}`;
    if (answer.body.kind === 'file') {
      // A streamed file paces itself on 'drain', which never comes while the socket is corked.
      this.uncork();
      this.socket.setTimeout(RESPONSE_IDLE_MS);
    }
    const { status, contentType, contentLength, extraHeaders } = answer;
    const head = formatResponseHead({ status, contentType, contentLength, extraHeaders, connection });
    this.abortBody = sendAnswer(this.socket, head, answer.body, {
      done: (bodyBytes) => {
        this.abortBody = undefined;
        if (answer.body.kind === 'file') this.socket.setTimeout(0);
        this.options.log(logLine(bodyBytes));
        this.afterResponse(connection, clientDone);
      },
      cutShort: (bodyBytes) => {
        this.abortBody = undefined;
        this.options.log(`${logLine(bodyBytes)} (cut short: the connection closed after ${bodyBytes} of ${answer.contentLength} body bytes)`);
      },
      readFailed: (error) => this.options.warn(`${this.peer}: reading the file failed: ${describeError(error)}`),
    });
  }

  private afterResponse(connection: Persistence, clientDone: boolean): void {
    if (connection === 'close') return clientDone ? this.closeAtOnce() : this.closeGracefully();
    if (!this.socket.writableNeedDrain) {
      this.state = 'waiting';
      return this.takeRequests();
    }
    // The client is not reading: answer nothing more until it has taken what is already queued.
    this.uncork();
    this.state = 'draining';
    this.socket.setTimeout(RESPONSE_IDLE_MS);
    this.socket.once('drain', () => {
      this.socket.setTimeout(0);
      this.state = 'waiting';
      this.takeRequests();
    });
  }

  private armWaitTimer(kind: 'header' | 'idle'): void {
    if (this.waitTimerKind === kind) return;
    this.clearWaitTimer();
    this.waitTimerKind = kind;
    const ms = kind === 'header' ? this.options.headerTimeoutMs : this.options.limits.idleTimeoutMs;
    this.waitTimer = setTimeout(() => {
      this.waitTimer = this.waitTimerKind = undefined;
      if (kind === 'idle') return this.closeGracefully();
      this.answer({ outcome: 'error', error: unreadHeadError({ kind: 'timeout', timeoutMs: ms, received: this.heads.received }) });
    }, ms);
  }

  private clearWaitTimer(): void {
    clearTimeout(this.waitTimer);
    this.waitTimer = this.waitTimerKind = undefined;
  }

  private cork(): void {
    if (this.corked) return;
    this.socket.cork();
    this.corked = true;
  }

  private uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  }

  /**
   * The client said it sends nothing more ("Connection: close", or HTTP/1.0): close as soon as the
   * response is in the kernel, as nginx does, rather than half-close and wait for the client's FIN
   * (a shutdown, a read and a timer per connection). close(2) sends the queued bytes, then FIN. It
   * would send RST instead if unread bytes were waiting, so bytes the client sent anyway, or a
   * response not yet all in the kernel, take the graceful way.
   */
  private closeAtOnce(): void {
    if (this.heads.bufferedBytes > 0 || this.socket.writableLength > 0) return this.closeGracefully();
    this.state = 'closing';
    this.clearWaitTimer();
    this.socket.destroy();
  }

  private closeGracefully(): void {
    this.state = 'closing';
    this.clearWaitTimer();
    this.corked = false; // end() flushes whatever is corked
    if (this.socket.isPaused()) this.socket.resume();
    // Until the last byte is in the kernel (a large cached file to a slow client) the response's own
    // timeout applies; only then does the client get LINGER_MS to close its side.
    if (this.socket.writableLength > 0) this.socket.setTimeout(RESPONSE_IDLE_MS);
    this.socket.end(() => {
      if (this.socket.destroyed) return;
      this.socket.setTimeout(0);
      this.lingerTimer = setTimeout(() => this.socket.destroy(), LINGER_MS);
    });
  }
}
