// Error classes with a stable code, each mapped to the CLI's exit status.

export const EXIT_CODES = {
  passed: 0,
  failed: 1,
  specInvalid: 2,
  harnessError: 3,
  interrupted: 130,
} as const;

export class SocklabError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number = EXIT_CODES.harnessError,
  ) {
    super(message);
    this.name = 'SocklabError';
  }
}
