// Reads the one line the lab's clients send, as bytes: a student may paste anything, including
// bytes that are not UTF-8, and they must reach the server unchanged (so no string decoding here).

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Resolves with the bytes before the first "\n" (minus a "\r" right before it, as typed on Windows),
 * or with everything read if the input ends first. Stops reading once the line is complete so
 * later input stays unread.
 */
export function readFirstLine(input: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const finish = (line: Buffer) => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      input.pause();
      resolve(line);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const newlineAt = bytes.indexOf(NEWLINE);
      if (newlineAt === -1) {
        chunks.push(bytes);
        return;
      }
      chunks.push(bytes.subarray(0, newlineAt));
      finish(stripTrailingCarriageReturn(Buffer.concat(chunks)));
    };
    const onEnd = () => finish(Buffer.concat(chunks));
    const onError = (error: Error) => {
      input.off('data', onData);
      input.off('end', onEnd);
      reject(error);
    };
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
  });
}

function stripTrailingCarriageReturn(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN ? line.subarray(0, -1) : line;
}

/** The lab's prompt, shown only to a person at a terminal so piped runs keep stderr clean. */
export const INPUT_PROMPT = 'Input lowercase sentence: ';

/** Uses `message` when given, else prompts (on a terminal) and reads one line from stdin. */
export function messageOrStdinLine(message: Buffer | undefined): Promise<Buffer> {
  if (message !== undefined) return Promise.resolve(message);
  if (process.stdin.isTTY) process.stderr.write(INPUT_PROMPT);
  return readFirstLine(process.stdin);
}
