import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { podStates } from '../../src/sim/pod-timeline.ts';
import type { KubeObject } from '../../src/sim/resources.ts';
import { loadScenario } from '../../src/sim/scenario.ts';
import { makeStory } from '../../src/sim/story.ts';
import { buildTimeline, playbackDelays } from '../../src/sim/timeline.ts';

const fixtures = join(import.meta.dirname, '../../fixtures/scenarios');

interface PodLike {
  status: { containerStatuses?: { restartCount?: number; lastState?: { terminated?: unknown } }[] };
}

describe('podStates', () => {
  it('gains restartCount and lastState at each restart of an OnFailure pod', async () => {
    const scenario = await loadScenario(join(fixtures, 'oom-manual-cronjob-run-restarting.json'));
    const pod = scenario.objects.find((o) => o.kind === 'Pod') as KubeObject;
    const counts = podStates(pod).map(
      (s) => (s.object as unknown as PodLike).status.containerStatuses?.[0]?.restartCount ?? 0,
    );
    expect(counts[0]).toBe(0);
    expect(counts.at(-1)).toBe(3);
    expect([...counts].sort((a, b) => a - b)).toEqual(counts);
    expect(new Set(counts)).toEqual(new Set([0, 1, 2, 3]));
    const withLastState = podStates(pod).filter(
      (s) => (s.object as unknown as PodLike).status.containerStatuses?.[0]?.lastState?.terminated !== undefined,
    );
    expect(withLastState.length).toBeGreaterThan(0);
  });
});

describe('buildTimeline', () => {
  it('adds an event at firstTimestamp and updates its count at lastTimestamp', () => {
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
      count: 4,
      firstTimestamp: '2026-01-01T00:00:00Z',
      lastTimestamp: '2026-01-01T00:05:00Z',
    };
    const steps = buildTimeline([event], [], Date.parse('2026-01-01T00:00:00Z'));
    expect(steps.map((s) => (s.kind === 'apply' ? s.object['count'] : undefined))).toEqual([1, 4]);
    expect(steps[1]!.at - steps[0]!.at).toBe(300_000);
  });

  it('starts objects older than the story at the story start', async () => {
    const scenario = await loadScenario(join(fixtures, 'oom-manual-cronjob-run-restarting.json'));
    const story = makeStory(scenario, new Date('2030-01-01T00:00:00Z'));
    const steps = buildTimeline(story.objects, scenario.logs, story.start.getTime());
    const first = steps[0];
    expect(first?.at).toBe(story.start.getTime());
    expect(first?.kind).toBe('apply');
    expect(first?.kind === 'apply' ? first.object.kind : undefined).toBe('CronJob');
  });

  it('compresses gaps by speed and caps each one', () => {
    const at = (seconds: number) => ({ at: seconds * 1000, kind: 'logs' as const, log: { namespace: 'n', pod: 'p', container: 'c', previous: false, text: '' } });
    const delays = playbackDelays([at(0), at(60), at(3600)], { speed: 60, maxGapMs: 1500 });
    expect(delays).toEqual([0, 1000, 1500]);
  });
});

describe('makeStory', () => {
  it('moves times so the first job starts now and replaces every uid', async () => {
    const scenario = await loadScenario(join(fixtures, 'oom-cronjob-pod-lister-128mi.json'));
    const now = new Date('2030-06-01T12:00:00Z');
    const story = makeStory(scenario, now);
    const job = story.objects.find((o) => o.kind === 'Job');
    expect(job?.metadata.creationTimestamp).toBe('2030-06-01T12:00:00Z');
    const text = JSON.stringify(story.objects);
    for (const old of Object.keys(story.uids)) expect(text).not.toContain(old);
    expect(story.objects.every((o) => o.metadata.resourceVersion === undefined)).toBe(true);
  });
});
