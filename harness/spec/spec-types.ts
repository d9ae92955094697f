// A validated spec: experiments with defaults applied and source positions kept for reports.
import type { SourceLocation } from '../model/result.js';
import type { CaptureOption } from '../capture/capture-option.js';
import type { ResourceLimits } from '../process/resource-limits.js';

export interface SpecStep {
  index: number;
  /** Registry key of the step kind (run, start, …). */
  kind: string;
  /** The step as written (templates not yet rendered). */
  body: Record<string, unknown>;
  location: SourceLocation;
  /** Where each key under `expect:` was written. */
  expectLocations: Record<string, SourceLocation>;
}

export interface ExperimentSpec {
  id: string;
  title: string;
  tags: string[];
  points: number;
  explain?: string;
  timeoutMs: number;
  skip?: string;
  hidden: boolean;
  partial: boolean;
  /** `judge: client`: grading judges only the student's client of a client–server experiment (with the reference server), for all its points. */
  judge?: 'client' | 'server';
  /** Packet capture for this experiment, with optional expectations on the wire. */
  capture?: CaptureOption;
  /** `limits:` of the experiment; what is not set keeps its default (run/process/resource-limits.ts). */
  limits?: Partial<ResourceLimits>;
  topology: 'loopback' | 'two-hosts';
  steps: SpecStep[];
  location: SourceLocation;
  /** Folder of the spec file (for `{{specDir}}`). */
  specDir: string;
  /** Names used as `{{ports.NAME}}`, in first-seen order. */
  portNames: string[];
  /**
   * Roles played by the lab's reference programs in this experiment whatever the run says (grading
   * judges a student's server with the reference client, and the other way round).
   */
  reference?: string[];
}
