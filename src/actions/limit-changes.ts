import { compareQuantities, parseQuantity } from './quantity.ts';
import type { ContainerResources, LimitValues } from './types.ts';

const GROUPS = ['requests', 'limits'] as const;
const RESOURCES = ['cpu', 'memory'] as const;

/**
 * Carries the edits between `before` and `after` over to `base`, and returns `base` with only
 * those fields changed. A CronJob's jobTemplate may have changed since the failed run that
 * the form was filled from, so writing `after` whole would revert those later changes.
 * Throws when an edited container is missing from `base`.
 */
export function rebaseLimits(base: LimitValues, before: LimitValues, after: LimitValues): LimitValues {
  const next = structuredClone(base);
  for (const field of ['backoffLimit', 'activeDeadlineSeconds'] as const) {
    if (before[field] === after[field]) continue;
    const value = after[field];
    if (value === undefined) delete next[field];
    else next[field] = value;
  }
  for (const edited of after.containers) {
    const prior = findContainer(before.containers, edited);
    for (const group of GROUPS) {
      for (const resource of RESOURCES) {
        const value = edited[group][resource];
        if (sameValue(prior?.[group][resource], value)) continue;
        const target = findContainer(next.containers, edited);
        if (!target) {
          const label = `${edited.init === true ? 'init container' : 'container'} ${edited.name}`;
          throw new Error(`cannot change ${group}.${resource} of ${label}: the current template has no such container; open the form again`);
        }
        if (value === undefined) delete target[group][resource];
        else target[group][resource] = value;
      }
    }
  }
  return next;
}

function findContainer(list: ContainerResources[], wanted: ContainerResources): ContainerResources | undefined {
  return list.find((c) => c.name === wanted.name && (c.init === true) === (wanted.init === true));
}

function sameValue(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return compareQuantities(parseQuantity(a), parseQuantity(b)) === 0;
}
