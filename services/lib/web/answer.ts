import type { FileHandle } from 'node:fs/promises';
import { contentTypeFor } from './content-types.js';
import type { DocumentStore, FoundDocument } from './documents.js';
import type { WebRequest, WebRequestError } from './request.js';
import { errorPage } from './response.js';

// What to send for a parsed request (or a refused one): status, header fields and where the body
// comes from. Deciding is kept apart from writing to the socket so each can be read on its own.

export const ALLOWED_METHODS = ['GET', 'HEAD'];

export type AnswerBody =
  | { kind: 'bytes'; bytes: Buffer }
  /** The caller streams `length` bytes from the start of the file and closes the handle. */
  | { kind: 'file'; handle: FileHandle; length: number }
  /** HEAD: the same header fields as GET, Content-Length included, and no body. */
  | { kind: 'none' };

export interface Answer {
  status: number;
  contentType: string;
  contentLength: number;
  extraHeaders?: Record<string, string>;
  body: AnswerBody;
}

const HTML = 'text/html; charset=utf-8';

function pageAnswer(status: number, detail: string, headOnly: boolean, extraHeaders?: Record<string, string>): Answer {
  const bytes = errorPage(status, detail);
  return { status, contentType: HTML, contentLength: bytes.length, extraHeaders, body: headOnly ? { kind: 'none' } : { kind: 'bytes', bytes } };
}

/** The head was refused; a request line that begins with HEAD still gets no body, whatever else is wrong. */
export function answerForRefusedHead(error: WebRequestError): Answer {
  return pageAnswer(error.status, `${error.message}.`, error.requestLine.startsWith('HEAD '));
}

/** When reading the file failed in a way that is not the client's doing. */
export function answerForServerError(): Answer {
  return pageAnswer(500, 'The server could not read the file.', false);
}

/** Never rejects for a missing or forbidden file; rejects only on unexpected file system errors. */
export function answerForRequest(request: WebRequest, documents: DocumentStore): Promise<Answer> {
  if (!ALLOWED_METHODS.includes(request.method)) {
    return Promise.resolve(
      pageAnswer(405, `The method ${request.method} is not allowed for ${request.path.text}; this server answers ${ALLOWED_METHODS.join(' and ')}.`, false, {
        Allow: ALLOWED_METHODS.join(', '),
      }),
    );
  }
  return documents.find(request.path.segments).then((document) => answerForDocument(document, request));
}

/** A plain function, not async: a cache hit then settles without another promise to adopt. */
function answerForDocument(document: FoundDocument, request: WebRequest): Answer | Promise<Answer> {
  const headOnly = request.method === 'HEAD';
  switch (document.kind) {
    case 'not-found':
      return pageAnswer(404, `The requested URL ${request.path.text} was not found on this server.`, headOnly);
    case 'forbidden':
      return pageAnswer(403, `You may not read ${request.path.text}: ${document.reason}.`, headOnly);
    case 'bytes': {
      const { bytes } = document;
      const body: AnswerBody = headOnly || bytes.length === 0 ? { kind: 'none' } : { kind: 'bytes', bytes };
      return { status: 200, contentType: contentTypeFor(document.fileName), contentLength: bytes.length, extraHeaders: { 'Last-Modified': document.lastModified }, body };
    }
    case 'file': {
      const length = document.stats.size;
      const answer: Answer = {
        status: 200,
        contentType: contentTypeFor(document.fileName),
        contentLength: length,
        extraHeaders: { 'Last-Modified': document.stats.mtime.toUTCString() },
        body: { kind: 'file', handle: document.handle, length },
      };
      if (!headOnly && length > 0) return answer;
      return document.handle.close().then(() => ({ ...answer, body: { kind: 'none' } }));
    }
  }
}
