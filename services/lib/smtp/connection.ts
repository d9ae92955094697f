import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { formatAddress } from '../common/address.js';
import { codedError, describeError } from '../common/describe-error.js';
import { formatDuration } from '../common/duration.js';
import { formatReply, SmtpProtocolError, SmtpReplyParser, type SmtpReply } from './reply.js';

// One SMTP connection: writes command lines, hands out replies one at a time, bounds every wait for a
// reply by the --timeout, and upgrades itself to TLS after STARTTLS. Everything that goes wrong
// becomes an SmtpFailure whose message is the one line the user sees.

/** A failure worth one stderr line; the program adds "mail-client: " and exits 1. */
export class SmtpFailure extends Error {}

/** The --verbose dialog on stdout; a no-op without --verbose. */
export interface Transcript {
  client(line: string): void;
  server(line: string): void;
  /** Events that are not SMTP lines (connected, TLS established), prefixed "* " like curl's. */
  note(text: string): void;
}

export function createTranscript(verbose: boolean, writeLine: (line: string) => void): Transcript {
  if (!verbose) return { client() {}, server() {}, note() {} };
  return {
    client: (line) => writeLine(line === '' ? 'C:' : `C: ${line}`),
    server: (line) => writeLine(`S: ${line}`),
    note: (text) => writeLine(`* ${text}`),
  };
}

export interface SmtpConnectionOptions {
  host: string;
  port: number;
  /** Bound on connecting, on the TLS handshake and on every wait for a reply. */
  timeoutMs: number;
  transcript: Transcript;
}

export interface TlsUpgradeOptions {
  /** Trusted certificates instead of the system's CAs (--tls-ca). */
  ca?: Buffer;
  /** false skips certificate and host name checks (--insecure). */
  verify: boolean;
}

interface ReplyWaiter {
  resolve(reply: SmtpReply): void;
  reject(failure: SmtpFailure): void;
  waitingFor: string;
}

const WRITE_SLICE_BYTES = 64 * 1024;

// Certificate errors where the user's fix is --tls-ca or --insecure, so the message says so.
const CERTIFICATE_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME/;

export function openSmtpConnection(options: SmtpConnectionOptions): Promise<SmtpConnection> {
  const server = formatAddress(options.host, options.port);
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host: options.host, port: options.port });
    const timer = setTimeout(() => {
      socket.destroy();
      const timedOut = codedError('ETIMEDOUT', 'connect timed out');
      reject(new SmtpFailure(`cannot connect to ${server} within ${formatDuration(options.timeoutMs)}: ${describeError(timedOut, 'connection timed out')}`));
    }, options.timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new SmtpFailure(`cannot connect to ${server}: ${describeError(error)}`));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      options.transcript.note(`connected to ${server} from ${formatAddress(socket.localAddress ?? '?', socket.localPort ?? 0)}`);
      resolve(new SmtpConnection(socket, server, options));
    });
  });
}

/** Returns the reply when its code is one of `expected`, else fails naming `what` and the reply. */
export function expectCode(reply: SmtpReply, expected: readonly number[], what: string): SmtpReply {
  if (expected.includes(reply.code)) return reply;
  throw new SmtpFailure(`${what} rejected: ${formatReply(reply)}`);
}

export class SmtpConnection {
  private socket: Socket | TLSSocket;
  private parser = new SmtpReplyParser();
  private readonly replies: SmtpReply[] = [];
  private waiter: ReplyWaiter | undefined;
  /** Set once the connection can deliver no more replies; every later wait fails with it. */
  private broken: ((waitingFor: string) => SmtpFailure) | undefined;
  private detach: () => void = () => {};

  constructor(
    socket: Socket,
    /** "host:port", for messages. */
    readonly server: string,
    private readonly options: SmtpConnectionOptions,
  ) {
    this.socket = socket;
    this.attach(socket);
  }

  /** The peer's IP address, for the "is it loopback" check before plain-text AUTH. */
  get remoteAddress(): string {
    return this.socket.remoteAddress ?? '';
  }

  /** Whether a final QUIT can still be written. */
  get isOpen(): boolean {
    return this.broken === undefined && !this.socket.destroyed && this.socket.writable;
  }

  /** Sends one command line and returns its reply. `shown` replaces the line in the transcript and in messages. */
  async command(line: string, shown = line): Promise<SmtpReply> {
    this.writeLine(line, shown);
    return this.readReply(`the reply to ${shown}`);
  }

  /**
   * Sends a command and insists on one of `expected` codes; any other reply fails as
   * "<shown> rejected: <reply>", e.g. "RCPT TO:<x@y> rejected: 550 5.1.1 no such user".
   */
  async expect(line: string, expected: readonly number[], shown = line): Promise<SmtpReply> {
    return expectCode(await this.command(line, shown), expected, shown);
  }

  writeLine(line: string, shown = line): void {
    this.options.transcript.client(shown);
    this.socket.write(`${line}\r\n`);
  }

  /** Sends the message content (already dot-stuffed and ending in CRLF.CRLF) and returns the final reply. */
  async sendData(payload: Buffer, summary: string[]): Promise<SmtpReply> {
    for (const line of summary) this.options.transcript.client(line);
    // Written in slices, each bounded by the timeout: a big message on a slow link is progress, a
    // server that stopped reading is not.
    for (let offset = 0; offset < payload.length; offset += WRITE_SLICE_BYTES) {
      await this.writeWithin(payload.subarray(offset, offset + WRITE_SLICE_BYTES), offset);
    }
    return this.readReply('the reply to the end of the message (".")');
  }

  private writeWithin(slice: Buffer, sentBefore: number): Promise<void> {
    if (this.broken) return Promise.reject(this.broken('the message to be sent'));
    return new Promise((resolve, reject) => {
      const limit = formatDuration(this.options.timeoutMs);
      const timer = setTimeout(() => {
        const timedOut = codedError('ETIMEDOUT', `stalled for ${limit}`);
        reject(new SmtpFailure(`${this.server} stopped reading the message after ${sentBefore} bytes: ${describeError(timedOut, `no progress within ${limit}`)}`));
      }, this.options.timeoutMs);
      this.socket.write(slice, (error) => {
        clearTimeout(timer);
        if (error) reject(new SmtpFailure(`lost the connection to ${this.server} while sending the message: ${describeError(error)}`));
        else resolve();
      });
    });
  }

  /** The next reply, or an SmtpFailure after the timeout or when the connection ends. */
  readReply(waitingFor: string, limitMs = this.options.timeoutMs): Promise<SmtpReply> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    if (this.broken) return Promise.reject(this.broken(waitingFor));
    return new Promise((resolve, reject) => {
      const limit = formatDuration(limitMs);
      const timer = setTimeout(() => {
        this.waiter = undefined;
        const timedOut = codedError('ETIMEDOUT', `no reply within ${limit}`);
        reject(new SmtpFailure(`no reply from ${this.server} within ${limit} while waiting for ${waitingFor}: ${describeError(timedOut)}`));
      }, limitMs);
      this.waiter = {
        waitingFor,
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (failure) => {
          clearTimeout(timer);
          reject(failure);
        },
      };
    });
  }

  /**
   * Upgrades to TLS after the server's 220 reply to STARTTLS. Replies read so far are dropped with
   * the plain socket; the caller must send EHLO again (RFC 3207 §4.2).
   */
  async startTls(host: string, tlsOptions: TlsUpgradeOptions): Promise<TLSSocket> {
    if (!this.parser.isIdle || this.replies.length > 0) {
      // Anything after the 220 arrived unencrypted but would be read as if it came over TLS: the
      // STARTTLS command-injection attack (CVE-2011-0411 and its client-side twins).
      throw new SmtpFailure(`${this.server} sent more data right after its 220 reply to STARTTLS; refusing to continue`);
    }
    const plain = this.socket;
    this.detach();
    plain.on('error', () => {}); // errors now surface on the TLS socket
    const secure = connectTls({
      socket: plain,
      host,
      // SNI carries names only (RFC 6066 §3); the certificate is still checked against `host`.
      servername: isIP(host) === 0 ? host : undefined,
      ca: tlsOptions.ca,
      rejectUnauthorized: tlsOptions.verify,
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.broken = () => new SmtpFailure(`the TLS handshake with ${this.server} did not finish`);
        secure.destroy();
        const timedOut = codedError('ETIMEDOUT', 'TLS handshake timed out');
        reject(new SmtpFailure(`TLS handshake with ${this.server} did not finish within ${formatDuration(this.options.timeoutMs)}: ${describeError(timedOut)}`));
      }, this.options.timeoutMs);
      secure.once('secureConnect', () => {
        clearTimeout(timer);
        secure.removeAllListeners('error');
        resolve();
      });
      secure.once('error', (error) => {
        clearTimeout(timer);
        this.broken = () => new SmtpFailure(`the TLS handshake with ${this.server} failed`);
        const hint = CERTIFICATE_ERRORS.test(String((error as NodeJS.ErrnoException).code))
          ? '; trust the server certificate with --tls-ca FILE, or skip verification with --insecure'
          : '';
        reject(new SmtpFailure(`TLS handshake with ${this.server} failed: ${describeError(error)}${hint}`));
      });
    });
    this.socket = secure;
    this.parser = new SmtpReplyParser();
    this.attach(secure);
    return secure;
  }

  /**
   * The polite goodbye on the way out after a failure: QUIT, then wait briefly for 221 or the close.
   * Problems here are not reported; the failure that brought us here is the one that matters.
   */
  async quitQuietly(limitMs: number): Promise<void> {
    if (!this.isOpen) return;
    this.writeLine('QUIT');
    const deadline = Date.now() + limitMs;
    try {
      // An earlier reply may still be on its way (the command that timed out); skip to QUIT's.
      while (Date.now() < deadline) {
        const reply = await this.readReply('the reply to QUIT', Math.max(1, deadline - Date.now()));
        if (reply.code === 221) break;
      }
    } catch {
      // closed, broken or too slow: we are leaving anyway
    }
    this.close();
  }

  /** Half-closes our side; the program exits right after, which releases the socket. */
  close(): void {
    this.socket.end();
  }

  private attach(socket: Socket | TLSSocket): void {
    const onData = (chunk: Buffer) => this.onData(chunk);
    const onEnd = () => this.breakWith((waitingFor) => new SmtpFailure(`${this.server} closed the connection while we were waiting for ${waitingFor}`));
    const onError = (error: Error) =>
      this.breakWith((waitingFor) => new SmtpFailure(`lost the connection to ${this.server} while waiting for ${waitingFor}: ${describeError(error)}`));
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd); // a close without 'end' or 'error' (destroyed under us) ends the dialog too
    socket.on('error', onError);
    this.detach = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
    };
  }

  private onData(chunk: Buffer): void {
    let completed: SmtpReply[];
    try {
      completed = this.parser.push(chunk);
    } catch (error) {
      if (!(error instanceof SmtpProtocolError)) throw error;
      const problem = error.message;
      this.breakWith((waitingFor) => new SmtpFailure(`${this.server} broke the SMTP protocol while we were waiting for ${waitingFor}: ${problem}`));
      this.socket.destroy();
      return;
    }
    for (const reply of completed) {
      for (const line of reply.rawLines) this.options.transcript.server(line);
      const waiter = this.waiter;
      this.waiter = undefined;
      if (waiter) waiter.resolve(reply);
      else this.replies.push(reply);
    }
  }

  private breakWith(failure: (waitingFor: string) => SmtpFailure): void {
    this.broken ??= failure;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(this.broken(waiter.waitingFor));
  }
}
