// Control groups v1 for untrusted programs: one folder per program under socklab's own folder in each
// controller's hierarchy, nested under the harness's own cgroup so that any limit around the harness (a
// container, a systemd slice) still holds. Used for a controller that cgroup v2 does not offer here
// (cgroup-v2.ts): on a v1-only machine, or a hybrid one where the controller is bound to v1.
import path from 'node:path';
import { cgroupLayout } from './cgroup-layout.js';

export type Controller = 'pids' | 'memory';

/** `<mount><own cgroup>/socklab` for a v1 controller, or why there is none. */
export function controllerBase(controller: Controller): { base: string } | { reason: string } {
  const layout = cgroupLayout();
  if ('reason' in layout) return layout;
  const found = layout.v1.get(controller);
  if (!found) return { reason: `no cgroup v1 hierarchy has ${controller}` };
  if (!found.own) return { reason: `own ${controller} cgroup ${found.ownPath} is outside the mounted part` };
  return { base: path.join(found.own, 'socklab') };
}
