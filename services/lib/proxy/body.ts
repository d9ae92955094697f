// Message bodies: where one ends (RFC 9112 §6.3) and, for chunked ones, what the data inside is.
// The proxy must know the end exactly: only a complete response may be cached, and a request body
// must be forwarded without a byte of whatever follows it.

/** How a body is delimited. */
export type BodyFraming =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  /** Only for responses: the body is everything until the sender closes the connection. */
  | { kind: 'close' };

export class MalformedBodyError extends Error {}

export interface BodyPiece {
  /** The body's data (for chunked bodies: with the chunk framing removed). */
  data: Buffer[];
  /** The part of the input that belonged to this message, framing included. */
  raw: Buffer;
  /** The message is complete; input past `raw` belongs to no one. */
  done: boolean;
}

// Bounds so a hostile peer cannot make us buffer without limit while we look for a line end.
const MAX_CHUNK_LINE_BYTES = 4096;
const MAX_TRAILER_BYTES = 16 * 1024;
const MAX_CHUNK_SIZE_DIGITS = 12; // 2^48 bytes: far beyond any real chunk, still an exact number

type ChunkedState = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

/** Decodes `Transfer-Encoding: chunked` incrementally; input may be split anywhere. */
export class ChunkedDecoder {
  private state: ChunkedState = 'size';
  private remaining = 0;
  private line = '';
  private trailerBytes = 0;

  get done(): boolean {
    return this.state === 'done';
  }

  /** Throws MalformedBodyError when the framing is wrong. */
  push(input: Buffer): BodyPiece {
    const data: Buffer[] = [];
    let position = 0;
    while (position < input.length && this.state !== 'done') {
      if (this.state === 'data') {
        const take = Math.min(this.remaining, input.length - position);
        data.push(input.subarray(position, position + take));
        position += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'data-end';
        continue;
      }
      const newline = input.indexOf(0x0a, position);
      const end = newline === -1 ? input.length : newline;
      this.line += input.toString('latin1', position, end);
      if (this.state === 'trailer') this.trailerBytes += end - position + 1;
      if (this.line.length > MAX_CHUNK_LINE_BYTES || this.trailerBytes > MAX_TRAILER_BYTES) {
        throw new MalformedBodyError(`chunk framing line over ${MAX_CHUNK_LINE_BYTES} bytes`);
      }
      position = newline === -1 ? input.length : newline + 1;
      if (newline === -1) break;
      const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
      this.line = '';
      this.endLine(line);
    }
    return { data, raw: input.subarray(0, position), done: this.state === 'done' };
  }

  private endLine(line: string): void {
    switch (this.state) {
      case 'size': {
        // "1a3f;name=value": the size in hex, then optional extensions we ignore.
        const sizeText = line.split(';')[0]!.trim();
        if (!/^[0-9a-fA-F]+$/.test(sizeText) || sizeText.replace(/^0+(?=.)/, '').length > MAX_CHUNK_SIZE_DIGITS) {
          throw new MalformedBodyError(`bad chunk size line "${line.slice(0, 40)}"`);
        }
        this.remaining = parseInt(sizeText, 16);
        this.state = this.remaining === 0 ? 'trailer' : 'data';
        return;
      }
      case 'data-end':
        if (line !== '') throw new MalformedBodyError('chunk data longer than its size line said');
        this.state = 'size';
        return;
      case 'trailer':
        // Trailer fields end with an empty line; we do not pass them on (the client gets no chunks).
        if (line === '') this.state = 'done';
        return;
      default:
        return;
    }
  }
}

/** Follows one body of the given framing through the pieces of input it arrives in. */
export class BodyReader {
  private received = 0;
  private readonly chunked: ChunkedDecoder | null;
  private finished: boolean;

  constructor(readonly framing: BodyFraming) {
    this.chunked = framing.kind === 'chunked' ? new ChunkedDecoder() : null;
    this.finished = framing.kind === 'none' || (framing.kind === 'length' && framing.length === 0);
  }

  get done(): boolean {
    return this.finished;
  }

  /** Data bytes seen so far (decoded, for chunked bodies). */
  get dataBytes(): number {
    return this.received;
  }

  push(input: Buffer): BodyPiece {
    if (this.finished) return { data: [], raw: input.subarray(0, 0), done: true };
    let piece: BodyPiece;
    if (this.chunked) {
      piece = this.chunked.push(input);
    } else if (this.framing.kind === 'length') {
      const raw = input.subarray(0, this.framing.length - this.received);
      piece = { data: [raw], raw, done: this.received + raw.length === this.framing.length };
    } else {
      piece = { data: [input], raw: input, done: false };
    }
    for (const data of piece.data) this.received += data.length;
    this.finished = piece.done;
    return piece;
  }

  /** The sender closed its side: true when that completes the body (close-delimited), or it was already complete. */
  endOfInput(): boolean {
    if (this.framing.kind === 'close') this.finished = true;
    return this.finished;
  }
}
