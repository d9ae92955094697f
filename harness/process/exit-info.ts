// How a program ended, shared by the program, its limits and its sandbox.

export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
}
