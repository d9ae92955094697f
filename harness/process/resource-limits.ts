// What one untrusted program may use, with defaults generous enough for javac, python3 and node (all
// three were checked under them), and the optional `limits:` of an experiment that changes them.
// How each limit is enforced, and what happens where it cannot be, is in limit-support.ts.
import { Type, type Static } from '@sinclair/typebox';
import { availableParallelism } from 'node:os';
import { Duration } from '../schema/parts.js';
import { parseDuration } from '../schema/duration.js';

export interface ResourceLimits {
  /** CPU seconds per process (RLIMIT_CPU): SIGXCPU at the limit, SIGKILL a second later. Default 60. */
  cpuSeconds: number;
  /**
   * Memory of the program and all its descendants together, in bytes (memory cgroup, RAM and swap).
   * Default 1 GiB. Not RLIMIT_AS: node and the JVM reserve far more address space than they use
   * (java 17 does not start under 3 GiB of RLIMIT_AS), so an address-space limit would either be
   * useless or break them. RLIMIT_AS is only the fallback, at FALLBACK_ADDRESS_SPACE_BYTES.
   */
  memoryBytes: number;
  /** Processes and threads of the program and its descendants together (pids cgroup). Default 256. */
  processes: number;
  /** Largest file the program may write, in bytes (RLIMIT_FSIZE). Default 64 MiB. */
  fileSizeBytes: number;
  /** Open file descriptors per process (RLIMIT_NOFILE). Default 1024. */
  openFiles: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const DEFAULT_LIMITS: Readonly<ResourceLimits> = Object.freeze({
  cpuSeconds: 60,
  memoryBytes: 1 * GiB,
  processes: 256,
  fileSizeBytes: 64 * MiB,
  openFiles: 1024,
});

/**
 * Per-process address space when no memory cgroup can be used (a container's read-only cgroups, say).
 * The JVM takes half of its RLIMIT_AS for the heap; the other half must hold its class space and code
 * cache (about 1.3 GiB) and glibc's malloc arenas, which its threads make up to 8 a core of 64 MiB
 * each: java 21 on 2 cores does not start under 4 GiB. So 2 × (2 GiB + 512 MiB a core), 6 GiB on
 * 2 cores; node 20 and python 3 need far less.
 */
export const FALLBACK_ADDRESS_SPACE_BYTES = 4 * GiB + availableParallelism() * GiB;

export const SIZE_PATTERN = '^\\d+(\\.\\d+)?\\s*(B|KiB|MiB|GiB|KB|MB|GB)$';
const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|KB|MB|GB)$/;
const SIZE_UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB, GiB, KB: 1e3, MB: 1e6, GB: 1e9 };

const Size = Type.Union([Type.String({ pattern: SIZE_PATTERN }), Type.Integer({ minimum: 1 })], {
  title: 'Size',
  expected: 'a size such as 512MiB, 1GiB or 64MB (a bare number is bytes)',
});

/** `limits:` of an experiment: every program it starts gets these instead of the defaults. */
export const LimitsOption = Type.Object(
  {
    cpu: Type.Optional(Duration),
    memory: Type.Optional(Size),
    processes: Type.Optional(Type.Integer({ minimum: 1, expected: 'a number of processes ≥ 1' })),
    fileSize: Type.Optional(Size),
    openFiles: Type.Optional(Type.Integer({ minimum: 3, expected: 'a number of open files ≥ 3' })),
  },
  {
    additionalProperties: false,
    expected: 'limits: cpu, memory, processes, fileSize and/or openFiles',
    description:
      'Resource limits of every program the experiment starts. cpu: CPU time per process (default 60s); memory: a program and its children together (default 1GiB); processes: processes and threads of a program and its children (default 256); fileSize: largest file written (default 64MiB); openFiles: per process (default 1024).',
  },
);
export type LimitsOption = Static<typeof LimitsOption>;

/** Bytes for a size written in a spec, or null when the text is not a size. */
export function parseSize(value: string | number): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : null;
  const match = SIZE.exec(value.trim());
  return match ? Math.round(Number(match[1]) * SIZE_UNITS[match[2]]) : null;
}

/** The validated `limits:` of a spec as numbers; fields it does not set stay undefined (defaults apply). */
export function limitsFromOption(option: LimitsOption | undefined): Partial<ResourceLimits> | undefined {
  if (!option) return undefined;
  const limits: Partial<ResourceLimits> = {};
  if (option.cpu !== undefined) limits.cpuSeconds = Math.max(1, Math.ceil((parseDuration(option.cpu) ?? 0) / 1000));
  if (option.memory !== undefined) limits.memoryBytes = parseSize(option.memory) ?? undefined;
  if (option.processes !== undefined) limits.processes = option.processes;
  if (option.fileSize !== undefined) limits.fileSizeBytes = parseSize(option.fileSize) ?? undefined;
  if (option.openFiles !== undefined) limits.openFiles = option.openFiles;
  return limits;
}

export function withDefaults(limits: Partial<ResourceLimits> | undefined): ResourceLimits {
  const resolved = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(limits ?? {}) as Array<[keyof ResourceLimits, number | undefined]>) {
    if (value !== undefined) resolved[key] = value;
  }
  return resolved;
}

export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', GiB], ['MiB', MiB], ['KiB', 1024]] as const) {
    if (bytes >= size && bytes % (size / 4) === 0) return `${bytes / size} ${unit}`;
  }
  return bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${bytes} B`;
}
