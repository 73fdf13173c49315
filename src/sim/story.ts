import { randomUUID } from 'node:crypto';
import type { KubeObject } from './resources.ts';
import type { Scenario } from './scenario.ts';

/** A scenario rewritten for one run: fresh uids and times moved so the story starts at `start`. */
export interface Story {
  objects: KubeObject[];
  /** Old uid to new uid, for every object of the scenario. */
  uids: Record<string, string>;
  /** When the story begins: the first Job's creation, in the new times. */
  start: Date;
  /** Moves an original RFC 3339 time string by the same shift as the objects. */
  shiftTime: (time: string) => string;
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Returns the time the story starts: the earliest Job creation, else the earliest object. */
export function storyStart(objects: readonly KubeObject[]): number {
  const jobs = objects.filter((o) => o.kind === 'Job');
  const pool = jobs.length > 0 ? jobs : objects;
  const times = pool.map((o) => Date.parse(o.metadata.creationTimestamp ?? '')).filter(Number.isFinite);
  if (times.length === 0) throw new Error('scenario has no object with a creationTimestamp');
  return Math.min(...times);
}

/** Returns the latest RFC 3339 time anywhere in the objects, in ms since the epoch. */
export function storyEnd(objects: readonly KubeObject[]): number {
  let latest = storyStart(objects);
  mapStrings(objects, (text) => {
    if (rfc3339.test(text)) latest = Math.max(latest, Date.parse(text));
    return text;
  });
  return latest;
}

function formatLike(original: string, time: number): string {
  const iso = new Date(time).toISOString();
  // Keep the original precision: whole seconds stay whole, as the API server writes them.
  return original.includes('.') ? iso : iso.replace(/\.\d{3}Z$/, 'Z');
}

function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, map)]));
  }
  return value;
}

/**
 * Rewrites a scenario for a new run. Every old uid is replaced wherever it appears
 * (ownerReferences, `controller-uid` labels, `spec.selector`, `involvedObject.uid`, and
 * texts such as back-off messages), and every RFC 3339 time moves by `now - storyStart`.
 */
export function makeStory(scenario: Scenario, now: Date): Story {
  const uids: Record<string, string> = {};
  for (const object of scenario.objects) {
    if (object.metadata.uid !== undefined) uids[object.metadata.uid] = randomUUID();
  }
  const shiftMs = now.getTime() - storyStart(scenario.objects);
  const shiftTime = (time: string) => formatLike(time, Date.parse(time) + shiftMs);
  const oldUids = Object.keys(uids);
  const rewrite = (text: string): string => {
    if (rfc3339.test(text)) return shiftTime(text);
    let result = text;
    for (const old of oldUids) {
      if (result.includes(old)) result = result.replaceAll(old, uids[old] ?? old);
    }
    return result;
  };
  const objects = scenario.objects.map((object) => {
    const copy = mapStrings(object, rewrite) as KubeObject;
    delete copy.metadata.resourceVersion;
    return copy;
  });
  return { objects, uids, start: new Date(now.getTime()), shiftTime };
}
