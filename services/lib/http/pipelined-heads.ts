import { isBlank, locateHead, type HeadBounds } from './find-head.js';

// The request heads a client sends on one persistent connection: one after the other, several in one
// TCP segment (pipelining), or one split over many segments. Bytes are kept until a whole head has
// arrived; each head is handed out once, in order, and what follows it stays for the next one.
//
// Bodies are not followed here. A caller that takes a request announcing a body must stop taking
// heads from this connection (the web server answers and closes), or the body would be read as heads.

export type NextHead =
  /** `bytes` end with the head's blank line; `bounds` are ready for parseLocatedRequestHead (no second search). */
  | { outcome: 'head'; bytes: Buffer; bounds: HeadBounds }
  | { outcome: 'incomplete' }
  /** The head cannot end within the limit; `received` is what came of it. */
  | { outcome: 'too-large'; received: Buffer };

const NOTHING = Buffer.alloc(0);

export class PipelinedHeads {
  private buffered: Buffer = NOTHING;

  /** `maxHeadBytes` bounds one head (blank lines before it included), as in locateHead. */
  constructor(private readonly maxHeadBytes: number) {}

  push(chunk: Buffer): void {
    // The usual case, a whole request in one segment onto an empty buffer, copies nothing.
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
  }

  /** The next head if all of it has arrived; it is then consumed. */
  take(): NextHead {
    if (this.buffered.length === 0) return { outcome: 'incomplete' };
    const bounds = locateHead(this.buffered, this.maxHeadBytes);
    if (bounds === 'incomplete') return { outcome: 'incomplete' };
    if (bounds === 'too-large') return { outcome: 'too-large', received: this.buffered };
    const all = this.buffered;
    this.buffered = bounds.end === all.length ? NOTHING : all.subarray(bounds.end);
    return { outcome: 'head', bytes: all.subarray(0, bounds.end), bounds };
  }

  /** Bytes received and not yet handed out as part of a head. */
  get bufferedBytes(): number {
    return this.buffered.length;
  }

  /** Something other than line ends arrived after the last head: the next request has begun. */
  get begun(): boolean {
    return !isBlank(this.buffered);
  }

  /** What arrived of the next head so far, for an answer to a head that never completes. */
  get received(): Buffer {
    return this.buffered;
  }
}
