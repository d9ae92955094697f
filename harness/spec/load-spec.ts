// SpecFile (YAML text) → ExperimentSpec[]: parse with positions, validate the experiment schema, then
// each step against its own kind's schema, then templates, roles, service names and duplicate ids.
// Every problem of every file is collected; nothing stops at the first error.
import path from 'node:path';
import type { SourceLocation } from '../model/result.js';
import { stepKinds } from '../steps/registry.js';
import { closestMatch } from './did-you-mean.js';
import { describeValue, type Diagnostic, type PathSegment } from './diagnostics.js';
import { DEFAULT_EXPERIMENT_TIMEOUT_MS, DEFAULT_POINTS, ExperimentSchema, type ExperimentFields } from './experiment-schema.js';
import { parseDuration } from '../schema/duration.js';
import { SpecInvalidError } from './spec-invalid-error.js';
import { validateAgainst } from './schema-validator.js';
import type { ExperimentSpec, SpecStep } from './spec-types.js';
import { checkTemplates } from './check-templates.js';
import { checkPatterns } from './check-patterns.js';
import { readSpecText } from './read-spec-text.js';
import { YamlSource } from './yaml-source.js';
import { collectPortNames } from './template.js';
import { limitsFromOption } from '../process/resource-limits.js';

export interface LoadOptions {
  /** Role names from the lab file; unknown roles are errors. */
  roles: ReadonlySet<string>;
}

export interface LoadedSpecs {
  experiments: ExperimentSpec[];
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
}

export function loadSpecFiles(files: string[], options: LoadOptions): LoadedSpecs {
  const loaded: LoadedSpecs = { experiments: [], diagnostics: [], sources: new Map() };
  const firstSeen = new Map<string, SourceLocation>();
  for (const file of files) {
    const { text, diagnostic: encodingError } = readSpecText(file);
    loaded.sources.set(file, text);
    if (encodingError) {
      loaded.diagnostics.push(encodingError);
      continue;
    }
    const source = new YamlSource(file, text);
    const fileResult = loadSource(source, options);
    loaded.diagnostics.push(...fileResult.diagnostics);
    for (const { experiment, path: idPath } of fileResult.experiments) {
      const first = firstSeen.get(experiment.id);
      if (first) {
        loaded.diagnostics.push(
          source.diagnosticAt(idPath, `duplicate experiment id "${experiment.id}"; first defined at ${first.file}:${first.line}:${first.column}`),
        );
        continue;
      }
      firstSeen.set(experiment.id, experiment.location);
      loaded.experiments.push(experiment);
    }
  }
  return loaded;
}

/** Loads and throws SpecInvalidError carrying every diagnostic when anything is wrong. */
export function loadSpecFilesOrThrow(files: string[], options: LoadOptions): ExperimentSpec[] {
  const loaded = loadSpecFiles(files, options);
  if (loaded.diagnostics.length > 0) throw new SpecInvalidError(loaded.diagnostics, loaded.sources);
  return loaded.experiments;
}

export interface SourceResult {
  diagnostics: Diagnostic[];
  experiments: Array<{ experiment: ExperimentSpec; path: PathSegment[] }>;
}

export function loadSource(source: YamlSource, options: LoadOptions): SourceResult {
  const result: SourceResult = { diagnostics: [...source.syntaxErrors], experiments: [] };
  if (source.syntaxErrors.length > 0) return result;
  const value = source.toJS();
  const entries: Array<{ value: unknown; path: PathSegment[] }> = Array.isArray(value)
    ? value.map((item, index) => ({ value: item, path: [index] }))
    : [{ value, path: [] }];
  if (value === null || value === undefined || typeof value !== 'object' || (Array.isArray(value) && value.length === 0)) {
    result.diagnostics.push(source.diagnosticAt([], `expected an experiment (a mapping with id, title and steps) or a list of experiments, got ${describeValue(value)}`));
    return result;
  }
  for (const entry of entries) {
    const before = result.diagnostics.length;
    result.diagnostics.push(...validateAgainst(ExperimentSchema, entry.value, source, entry.path));
    const fields = entry.value as ExperimentFields;
    const steps = Array.isArray(fields?.steps) ? fields.steps : [];
    const specSteps = steps.map((step, index) => loadStep(step, index, source, [...entry.path, 'steps', index], options, result.diagnostics));
    result.diagnostics.push(...checkServiceNames(specSteps, source, entry.path));
    if (result.diagnostics.length > before) continue;
    result.experiments.push({ experiment: toExperiment(fields, specSteps as SpecStep[], source, entry.path), path: [...entry.path, 'id'] });
  }
  return result;
}

function loadStep(step: unknown, index: number, source: YamlSource, stepPath: PathSegment[], options: LoadOptions, diagnostics: Diagnostic[]): SpecStep | null {
  if (!step || typeof step !== 'object' || Array.isArray(step)) return null; // the experiment schema reported it
  const body = step as Record<string, unknown>;
  const kinds = Object.keys(body).filter((key) => stepKinds.has(key));
  const known = [...stepKinds.keys()];
  if (kinds.length !== 1) {
    const keys = Object.keys(body);
    const hint = kinds.length === 0 ? keys.map((key) => closestMatch(key, known)).find(Boolean) : undefined;
    const message =
      kinds.length === 0
        ? `expected a step kind, one of: ${known.join(', ')}; found ${keys.length ? keys.map((key) => `"${key}"`).join(', ') : 'no keys'}`
        : `a step has exactly one kind, found ${kinds.join(' and ')}`;
    diagnostics.push(source.diagnosticAt(stepPath, message, { hint: hint ? `did you mean "${hint}"?` : undefined }));
    return null;
  }
  const kind = stepKinds.get(kinds[0])!;
  const stepDiagnostics = validateAgainst(kind.schema, body, source, stepPath);
  stepDiagnostics.push(...checkTemplates(body, source, stepPath));
  stepDiagnostics.push(...checkPatterns(body, source, stepPath));
  const role = typeof body[kind.key] === 'string' ? kind.role?.(body) : undefined;
  if (role !== undefined && !options.roles.has(role)) {
    const suggestion = closestMatch(role, options.roles);
    stepDiagnostics.push(
      source.diagnosticAt([...stepPath, kind.key], `unknown role "${role}"; the lab file defines: ${[...options.roles].join(', ')}`, {
        hint: suggestion ? `did you mean "${suggestion}"?` : undefined,
      }),
    );
  }
  diagnostics.push(...stepDiagnostics);
  if (stepDiagnostics.length > 0) return null;
  return { index, kind: kind.key, body, location: locationOf(source, stepPath), expectLocations: expectLocations(body, source, stepPath) };
}

/** A stop/wait step must name a service that an earlier step started. */
function checkServiceNames(steps: Array<SpecStep | null>, source: YamlSource, experimentPath: PathSegment[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const started = new Set<string>();
  for (const step of steps) {
    if (!step) continue;
    const kind = stepKinds.get(step.kind)!;
    const needed = kind.references?.(step.body);
    if (needed !== undefined && !started.has(needed)) {
      const suggestion = closestMatch(needed, started);
      const known = started.size ? `started so far: ${[...started].join(', ')}` : 'no service was started before this step';
      diagnostics.push(
        source.diagnosticAt([...experimentPath, 'steps', step.index, step.kind], `no service named "${needed}"; ${known}`, {
          hint: suggestion ? `did you mean "${suggestion}"?` : undefined,
        }),
      );
    }
    const defined = kind.defines?.(step.body);
    if (defined !== undefined) started.add(defined);
  }
  return diagnostics;
}

function toExperiment(fields: ExperimentFields, steps: SpecStep[], source: YamlSource, experimentPath: PathSegment[]): ExperimentSpec {
  return {
    id: fields.id,
    title: fields.title,
    tags: fields.tags ?? [],
    points: fields.points ?? DEFAULT_POINTS,
    explain: fields.explain,
    timeoutMs: fields.timeout === undefined ? DEFAULT_EXPERIMENT_TIMEOUT_MS : (parseDuration(fields.timeout) ?? DEFAULT_EXPERIMENT_TIMEOUT_MS),
    skip: fields.skip,
    hidden: fields.hidden ?? false,
    capture: fields.capture === false ? undefined : fields.capture,
    limits: limitsFromOption(fields.limits),
    topology: fields.topology ?? 'loopback',
    partial: fields.partial ?? false,
    ...(fields.judge ? { judge: fields.judge } : {}),
    steps,
    location: locationOf(source, experimentPath),
    specDir: path.dirname(path.resolve(source.file)),
    portNames: [...collectPortNames(steps.map((step) => step.body))],
  };
}

function locationOf(source: YamlSource, nodePath: PathSegment[]): SourceLocation {
  const diagnostic = source.diagnosticAt(nodePath, '');
  return { file: source.file, line: diagnostic.line, column: diagnostic.column };
}

function expectLocations(body: Record<string, unknown>, source: YamlSource, stepPath: PathSegment[]): Record<string, SourceLocation> {
  const expect = body.expect;
  if (!expect || typeof expect !== 'object') return {};
  const locations: Record<string, SourceLocation> = {};
  for (const key of Object.keys(expect)) locations[key] = locationOf(source, [...stepPath, 'expect', key]);
  return locations;
}
