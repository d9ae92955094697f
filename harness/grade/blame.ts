// Blame isolation: a student's program is judged against reference partners, so that a broken client
// never costs the server's points (nor the other way round). An experiment that runs a student's
// server and a student's client becomes two: their server with the reference client, and their client
// with the reference server, each worth half. Experiments tagged `pair` keep the student's own pair
// together: that is where the two programs are judged as a couple. An experiment with `judge: client`
// (or server) is about one of them: only that variant runs, for all the points.
import type { RoleTable } from '../lab/role-table.js';
import { roundPoints } from '../model/scoring.js';
import type { ExperimentSpec } from '../spec/spec-types.js';
import { stepKinds } from '../steps/registry.js';

export const PAIR_TAG = 'pair';

type Side = 'server' | 'client';

export function isolateBlame(experiments: readonly ExperimentSpec[], roles: RoleTable): ExperimentSpec[] {
  return experiments.flatMap((experiment) => {
    if (experiment.tags.includes(PAIR_TAG)) return [experiment];
    const launched = launchedRoles(experiment);
    const theirs = launched.filter((role) => roles.get(role).source === 'submission');
    const sides = new Map<Side, string[]>();
    for (const role of theirs) sides.set(roles.get(role).host, [...(sides.get(roles.get(role).host) ?? []), role]);
    if (sides.size < 2) return [experiment];
    const ordered = [...sides].sort(([a], [b]) => (a === b ? 0 : a === 'server' ? -1 : 1)).filter(([side]) => experiment.judge === undefined || side === experiment.judge);
    return ordered.map(([side, judged]) => variant(experiment, side, launched.filter((role) => !judged.includes(role)), ordered.length));
  });
}

function variant(experiment: ExperimentSpec, side: Side, reference: string[], count: number): ExperimentSpec {
  const other = side === 'server' ? 'client' : 'server';
  return {
    ...experiment,
    id: `${experiment.id}.${side}`,
    title: `${experiment.title} — your ${side}, the reference ${other}`,
    points: roundPoints(experiment.points / count),
    reference: [...new Set([...(experiment.reference ?? []), ...reference])],
  };
}

function launchedRoles(experiment: ExperimentSpec): string[] {
  const roles = experiment.steps.flatMap((step) => {
    const role = stepKinds.get(step.kind)?.role?.(step.body);
    return role === undefined ? [] : [role];
  });
  return [...new Set(roles)];
}
