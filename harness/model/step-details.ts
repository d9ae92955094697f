// What each step kind saw, as typed data: the HTTP exchange, the bytes of a raw exchange, the requests
// an origin counted, the SMTP dialog a sink recorded, a relay's counts, a browser's visit. One member
// of the union per step kind (`kind` is the step kind's key); reporters render them and grading reads
// them, so neither has to parse a label or a rendered value.
import type { DetectedError } from './process-result.js';

export interface HostPort {
  host: string;
  port: number;
}

/** One HTTP response (or the error instead of one). */
export interface HttpExchangeRecord {
  status?: number;
  statusText?: string;
  httpVersion?: string;
  headers: Record<string, string>;
  bodyBytes: number;
  /** The start of the body as UTF-8 (at most 2 KiB). */
  bodyPreview: string;
  bodyTruncated: boolean;
  error: DetectedError | null;
  durationMs: number;
}

export interface HttpDetails {
  kind: 'http';
  request: { method: string; url: string; path: string; headers: Record<string, string>; bodyBytes: number };
  /** Where the connection went: the URL's server, or the proxy when the request went through one. */
  connectedTo: HostPort | null;
  proxy?: string;
  /** How the request reached the proxy, when the step chose (`form:`): `path` is the lab's GET /host:port/a. */
  form?: 'absolute' | 'path';
  /** One per request (`parallel: N` sends N). */
  exchanges: HttpExchangeRecord[];
  /** From the first request sent to the last answer. */
  wallMs: number;
}

export interface RawDetails {
  kind: 'raw';
  target: HostPort;
  sentBytes: number;
  sentPreview: string;
  receivedBytes: number;
  receivedPreview: string;
  closed: boolean;
  error: DetectedError | null;
  durationMs: number;
}

export interface OriginDetails {
  kind: 'origin';
  listening: HostPort;
  /** Every request that reached the origin, in order; `atMs` counts from when it started listening. */
  requests: Array<{ method: string; path: string; atMs: number }>;
  /** Requests per path. */
  counts: Record<string, number>;
}

export interface SmtpMessageRecord {
  from: string;
  to: string[];
  headers: Record<string, string>;
  body: string;
  secure: boolean;
  user?: string;
}

export interface SmtpSessionRecord {
  remote: string;
  /** Command names in order (EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, QUIT …). */
  commands: string[];
  secure: boolean;
  /** Commands the client sent before the server had answered the one before ("." is the message's end). */
  early?: string[];
}

export interface SmtpSinkDetails {
  kind: 'smtp-sink';
  listening: HostPort;
  starttls: boolean;
  messages: SmtpMessageRecord[];
  sessions: SmtpSessionRecord[];
}

export interface RelayDetails {
  kind: 'relay';
  protocol: 'udp' | 'tcp';
  listening: HostPort;
  to: HostPort;
  /** Datagrams for UDP, bytes for TCP. */
  counts: { received: number; forwarded: number; dropped: number; replies: number };
}

export interface BrowserDetails {
  kind: 'browser';
  url: string;
  proxy?: string;
  status: number | null;
  title: string;
  /** The page's visible text (at most 2,000 characters). */
  text: string;
  consoleErrors: string[];
  error: DetectedError | null;
  durationMs: number;
}

export type StepDetails = HttpDetails | RawDetails | OriginDetails | SmtpSinkDetails | RelayDetails | BrowserDetails;
