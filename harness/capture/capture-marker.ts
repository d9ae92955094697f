// Why a marker: on SIGINT, tcpdump (libpcap's memory-mapped ring) stops at once and never reads the
// packets still waiting in the ring, so the last packets of an experiment (the FIN/ACK of a teardown)
// could be missing when stop() follows them closely. The filter also admits one datagram that the
// session sends to itself; tcpdump handles packets in order and -U writes each one out at once, so when
// the marker is in the file, so is everything before it. The marker is then removed from the file.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { open, stat } from 'node:fs/promises';
import { decodePacket } from './decode-packet.js';
import { readPcap } from './read-pcap.js';
import { writePcap } from './write-pcap.js';

const MARKER_HOST = '127.0.0.1';
const POLL_MS = 5;

export class CaptureMarker {
  private readonly payload = Buffer.from(`socklab capture marker ${randomBytes(8).toString('hex')}`);

  private constructor(
    private readonly socket: dgram.Socket,
    readonly port: number,
  ) {}

  /** A socket for the marker, or undefined when none can be bound (then stop() cannot confirm the flush). */
  static async open(): Promise<CaptureMarker | undefined> {
    const socket = dgram.createSocket('udp4');
    socket.on('error', () => undefined);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(0, MARKER_HOST, () => resolve());
      });
      return new CaptureMarker(socket, socket.address().port);
    } catch {
      socket.close();
      return undefined;
    }
  }

  /** The filter clause that admits the marker: from this socket to itself, nothing else. */
  get filter(): string {
    return `udp and src host ${MARKER_HOST} and src port ${this.port} and dst port ${this.port}`;
  }

  /** Sends the marker and waits until tcpdump has written it; false if it did not within `timeoutMs`. */
  async flush(file: string, timeoutMs: number): Promise<boolean> {
    let scanned = await fileSize(file);
    await new Promise<void>((resolve) => this.socket.send(this.payload, this.port, MARKER_HOST, () => resolve()));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const size = await fileSize(file);
      if (size > scanned) {
        // Rescan a marker's length back, in case the marker straddled the previous end of file.
        const from = Math.max(0, scanned - this.payload.length);
        if ((await readRange(file, from, size)).includes(this.payload)) return true;
        scanned = size;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return false;
  }

  /** Takes the marker datagrams out of the finished file; returns how many were removed. */
  async removeFrom(file: string): Promise<number> {
    const capture = await readPcap(file);
    const records = capture.records.filter((record, index) => {
      const packet = decodePacket(capture.linkType, record, index);
      return !(packet.protocol === 'udp' && packet.source.port === this.port && packet.destination.port === this.port && packet.payload.equals(this.payload));
    });
    const removed = capture.records.length - records.length;
    if (removed > 0) await writePcap(file, { ...capture, records });
    return removed;
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // Already closed.
    }
  }
}

async function fileSize(file: string): Promise<number> {
  return stat(file).then(
    (stats) => stats.size,
    () => 0,
  );
}

async function readRange(file: string, from: number, to: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(to - from);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, from);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
