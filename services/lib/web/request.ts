import type { HeadBounds } from '../http/find-head.js';
import {
  parseLocatedRequestHead,
  parseRequestHead,
  type HeadParseOptions,
  type HeadParseResult,
  type RequestError,
  type RequestErrorCode,
  type RequestHead,
} from '../http/request-head.js';
import { parseRequestTarget, type RequestPath, type TargetErrorCode } from './request-target.js';

// A request as the web server sees it: the head as http/request-head parses it for every program,
// and its target read as the path of a file under the document root, or refused (400 as well).

export interface WebRequest extends RequestHead {
  path: RequestPath;
}

export type WebRequestErrorCode = RequestErrorCode | TargetErrorCode;
export type WebRequestError = RequestError<WebRequestErrorCode>;
export type WebHeadResult = HeadParseResult<WebRequest, WebRequestErrorCode>;

/** A head that needs no more bytes: answer it (with a file or with an error page). */
export type FinishedHead = Exclude<WebHeadResult, { outcome: 'incomplete' }>;

export function parseWebRequestHead(bytes: Uint8Array, options: HeadParseOptions = {}): WebHeadResult {
  const result = parseRequestHead(bytes, options);
  return result.outcome === 'request' ? withPath(result) : result;
}

/** For a head whose bounds are already known (PipelinedHeads found them). */
export function parseLocatedWebRequestHead(bytes: Uint8Array, bounds: HeadBounds): FinishedHead {
  const result = parseLocatedRequestHead(bytes, bounds);
  return result.outcome === 'request' ? withPath(result) : result;
}

function withPath(result: Extract<HeadParseResult, { outcome: 'request' }>): FinishedHead {
  const { request } = result;
  const target = parseRequestTarget(request.target);
  if (!target.ok) {
    const seen = { method: request.method, target: request.target };
    return { outcome: 'error', error: { ...target.error, status: 400, requestLine: request.requestLine, seen } };
  }
  // Spelled out rather than spread: this runs for every request.
  const { method, version, headers, requestLine } = request;
  return { outcome: 'request', request: { method, target: request.target, version, headers, requestLine, path: target.path }, headLength: result.headLength };
}
