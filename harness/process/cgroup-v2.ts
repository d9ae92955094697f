// Control groups v2 for untrusted programs: one cgroup per program under a `socklab` folder of the
// unified hierarchy. Every program joins one, even where cgroup v2 has none of the controllers socklab
// limits with (a hybrid machine, where they are bound to v1): membership alone lets cgroup.kill end
// the program and everything it started, a daemon that left its process group included.
//
// Where the folder goes. cgroup v2 hands a controller to a cgroup's children only when it is in the
// cgroup's cgroup.subtree_control, and lets a cgroup that holds processes enable none there (its "no
// internal processes" rule; the root is exempt). socklab's own cgroup holds socklab, so its children
// can have no pids or memory controller unless it is the root. So the `socklab` folder goes under the
// closest of socklab's own cgroup and its ancestors that already hands the most of those controllers
// down and that socklab may write: as root under systemd, the slice around socklab's service or
// session (system.slice, user-0.slice); as another user, the part of the tree systemd delegated to
// that user (user@UID.service/app.slice), where it is writable. socklab never changes the
// cgroup.subtree_control of a cgroup it did not make. When the folder is not under socklab's own
// cgroup, limits set on the cgroups in between (a service's MemoryMax) do not bind the programs: the
// probe says where it went (LimitSupport.unified.awayFrom).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cgroupLayout, type CgroupLayout } from './cgroup-layout.js';
import { createGroup, hasKillFile, tryRemove, type GroupSetting } from './cgroup-groups.js';
import type { Controller } from './cgroup-v1.js';

export interface UnifiedBase {
  /** `<cgroup>/socklab`, where programs' cgroups are made. */
  base: string;
  /** The controllers each program's cgroup gets (enabled in base's cgroup.subtree_control); maybe none. */
  controllers: Controller[];
  /** Why each wanted controller that is not among them is not. */
  missing: Partial<Record<Controller, string>>;
  /** socklab's own cgroup, when base is not under it (it holds processes and hands no controller down). */
  awayFrom?: string;
  /** The kernel kills a cgroup's members in one write (cgroup.kill, Linux 5.14 and later). */
  kill: boolean;
}

/** The limit files of a program's cgroup v2 for `controller`. */
export function unifiedSettings(controller: Controller, limits: { processes: number; memoryBytes: number }): GroupSetting[] {
  if (controller === 'pids') return [['pids.max', String(limits.processes)]];
  // No swap at all: RAM and swap together then stay under memory.max, as v1's memsw limit does.
  return [
    ['memory.max', String(limits.memoryBytes)],
    ['memory.swap.max', '0', true],
  ];
}

/**
 * Finds (and makes) the `socklab` folder of the unified hierarchy that gives programs' cgroups the
 * most of `wanted`, the closest to socklab's own cgroup first, after trying that a process can join
 * a cgroup made there with its limits written. `id` names the trial's cgroup (`<pid>-probe`); `layout`
 * is this machine's (tests give another).
 */
export function unifiedBase(wanted: Controller[], id = `${process.pid}-probe`, layout = cgroupLayout()): UnifiedBase | { reason: string } {
  if ('reason' in layout) return layout;
  const unified = layout.unified;
  if (!unified) return { reason: 'no cgroup v2 hierarchy mounted' };
  if (!unified.own) return { reason: `own cgroup v2 ${unified.ownPath} is outside the mounted part` };
  const candidates: Array<{ dir: string; offered: Controller[] }> = [];
  for (let dir = unified.own; ; dir = path.dirname(dir)) {
    const handed = words(path.join(dir, 'cgroup.subtree_control'));
    candidates.push({ dir, offered: wanted.filter((controller) => handed.includes(controller)) });
    if (dir === unified.point || dir === path.dirname(dir)) break;
  }
  // Most controllers first; among equals the closest to socklab's own cgroup (the sort is stable).
  const ordered = [...candidates].sort((a, b) => b.offered.length - a.offered.length);
  let ownProblem: string | undefined;
  for (const { dir, offered } of ordered) {
    const base = path.join(dir, 'socklab');
    const prepared = prepare(base, offered, id);
    if ('problem' in prepared) {
      if (dir === unified.own) ownProblem = prepared.problem;
      continue;
    }
    const missing: Partial<Record<Controller, string>> = { ...prepared.failed };
    for (const controller of wanted) if (!offered.includes(controller)) missing[controller] = whyNot(controller, dir, layout);
    return {
      base,
      controllers: offered.filter((controller) => !prepared.failed[controller]),
      missing,
      ...(dir === unified.own ? {} : { awayFrom: unified.own }),
      kill: prepared.kill,
    };
  }
  return { reason: ownProblem ?? `cannot write ${unified.own} or any cgroup above it` };
}

/**
 * Makes `base` with `controllers` enabled for its children, then a trial cgroup in it with their limits
 * and a process that joins it. Controllers that cannot be enabled come back in `failed`.
 */
function prepare(base: string, controllers: Controller[], id: string): { kill: boolean; failed: Partial<Record<Controller, string>> } | { problem: string } {
  let made = false;
  try {
    mkdirSync(base);
    made = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return { problem: `cannot write ${path.dirname(base)} (${codeOf(error)})` };
  }
  const prepared = prepareIn(base, controllers, id);
  // A folder made only for a trial that failed is not left behind.
  if ('problem' in prepared && made) tryRemove(base);
  return prepared;
}

function prepareIn(base: string, controllers: Controller[], id: string): { kill: boolean; failed: Partial<Record<Controller, string>> } | { problem: string } {
  const failed: Partial<Record<Controller, string>> = {};
  const enabled = words(path.join(base, 'cgroup.subtree_control'));
  for (const controller of controllers) {
    if (enabled.includes(controller)) continue;
    try {
      writeFileSync(path.join(base, 'cgroup.subtree_control'), `+${controller}`);
    } catch (error) {
      failed[controller] = `cannot enable ${controller} in ${base}/cgroup.subtree_control (${codeOf(error)})`;
    }
  }
  const usable = controllers.filter((controller) => !failed[controller]);
  let trial: string;
  try {
    trial = createGroup(base, id, usable.flatMap((controller) => unifiedSettings(controller, { processes: 1, memoryBytes: 64 * 1024 * 1024 })));
  } catch (error) {
    return { problem: `cannot make a cgroup in ${base} (${codeOf(error)})` };
  }
  try {
    // Moving a process needs write access to the cgroup.procs of the common ancestor of where it is and
    // where it goes: a delegated subtree may allow the folder and not the move.
    const join = spawnSync('/bin/sh', ['-c', 'echo $$ > "$1"', 'socklab-probe', path.join(trial, 'cgroup.procs')], { encoding: 'utf8', timeout: 5000 });
    if (join.status !== 0) return { problem: `cannot move a process into ${base} (${(join.stderr || join.error?.message || `exit ${join.status}`).trim().split('\n').at(-1)})` };
    return { kill: hasKillFile(trial), failed };
  } finally {
    tryRemove(trial);
  }
}

/** Why `controller` is not handed down by `dir` in cgroup v2, in words a person can act on. */
function whyNot(controller: Controller, dir: string, layout: CgroupLayout): string {
  const boundToV1 = layout.v1.get(controller);
  if (boundToV1) return `${controller} is bound to the cgroup v1 hierarchy at ${boundToV1.point}`;
  if (!words(path.join(dir, 'cgroup.controllers')).includes(controller)) return `${controller} is not available to ${dir} (not in its cgroup.controllers)`;
  const holdsProcesses = readText(path.join(dir, 'cgroup.procs')).trim() !== '';
  return `${controller} is not enabled in ${dir}/cgroup.subtree_control${holdsProcesses ? ` (${dir} holds processes, and cgroup v2 lets only a cgroup without processes of its own hand controllers down)` : ''}`;
}

function words(file: string): string[] {
  return readText(file).split(/\s+/).filter(Boolean);
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function codeOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  return process.getuid?.() === 0 ? code : `${code}, not root`;
}
