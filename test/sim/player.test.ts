import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadScenario,
  loadScenarios,
  parseScenario,
  playScenario,
  startSimCluster,
  type Change,
  type SimCluster,
} from '../../src/sim/index.ts';
import { resourceTypes } from '../../src/sim/resources.ts';

const podType = resourceTypes.find((t) => t.plural === 'pods')!;
const fixtures = join(import.meta.dirname, '../../fixtures/scenarios');
const instant = { delay: async () => {} };
let cluster: SimCluster;

beforeAll(async () => {
  cluster = await startSimCluster();
});

afterAll(async () => {
  await cluster.stop();
});

function record(): { changes: Change[]; stop: () => void } {
  const changes: Change[] = [];
  const stop = cluster.store.subscribe((change) => changes.push(change));
  return { changes, stop };
}

interface JobLike {
  status?: { startTime?: string; failed?: number; conditions?: { type: string; status: string; reason?: string }[] };
}

describe('playScenario', () => {
  it('plays a job from empty status through pod changes to its Failed condition', async () => {
    const scenario = await loadScenario(join(fixtures, 'oom-cronjob-pod-lister-128mi.json'));
    const { changes, stop } = record();
    const played = await playScenario(cluster, scenario, instant);
    stop();
    const jobChanges = changes.filter((c) => c.object.kind === 'Job' && c.type !== 'DELETED');
    const first = jobChanges[0]?.object as JobLike | undefined;
    expect(jobChanges[0]?.type).toBe('ADDED');
    expect(first?.status).toEqual({});
    const last = jobChanges.at(-1)?.object as JobLike | undefined;
    const failed = last?.status?.conditions?.find((c) => c.type === 'Failed');
    expect(failed).toMatchObject({ status: 'True', reason: scenario.expected.reason });
    expect(jobChanges.at(-1)?.object.metadata.uid).toBe(played.jobUid);
    const firstJobIndex = changes.indexOf(jobChanges[0]!);
    const podChanges = changes.filter((c) => c.object.kind === 'Pod' && c.type !== 'DELETED');
    expect(podChanges.length).toBeGreaterThan(1);
    expect(changes.indexOf(podChanges[0]!)).toBeGreaterThan(firstJobIndex);
    expect(changes.indexOf(podChanges[0]!)).toBeLessThan(changes.indexOf(jobChanges.at(-1)!));
  });

  it('shows the failed counter rising before the Failed condition', async () => {
    const scenario = await loadScenario(join(fixtures, 'oom-cronjob-pod-lister-128mi.json'));
    const { changes, stop } = record();
    await playScenario(cluster, scenario, instant);
    stop();
    const statuses = changes
      .filter((c) => c.object.kind === 'Job' && c.type !== 'DELETED')
      .map((c) => (c.object as JobLike).status ?? {});
    const firstFailedCount = statuses.findIndex((s) => (s.failed ?? 0) > 0);
    const firstFailedCondition = statuses.findIndex((s) => s.conditions?.some((c) => c.type === 'Failed'));
    expect(statuses.some((s) => s.startTime !== undefined && s.conditions === undefined)).toBe(true);
    expect(firstFailedCount).toBeGreaterThan(0);
    expect(firstFailedCondition).toBeGreaterThan(firstFailedCount);
  });

  it('plays a pod Pending, then Running, then terminated', async () => {
    const scenario = await loadScenario(join(fixtures, 'django-migrate-job-postgres-connection-refused.json'));
    const { changes, stop } = record();
    await playScenario(cluster, scenario, instant);
    stop();
    const firstPod = changes.find((c) => c.object.kind === 'Pod' && c.type === 'ADDED')?.object.metadata.name;
    const phases = changes
      .filter((c) => c.object.kind === 'Pod' && c.object.metadata.name === firstPod && c.type !== 'DELETED')
      .map((c) => (c.object['status'] as { phase?: string }).phase);
    expect(phases[0]).toBe('Pending');
    expect(phases).toContain('Running');
    expect(phases.at(-1)).toBe('Failed');
    expect(phases.indexOf('Running')).toBeLessThan(phases.lastIndexOf('Failed'));
  });

  it('gives a second run new uids and removes the first run', async () => {
    const scenario = await loadScenario(join(fixtures, 'render-job-secret-not-found.json'));
    const first = await playScenario(cluster, scenario, instant);
    const second = await playScenario(cluster, scenario, instant);
    expect(second.jobUid).not.toBe(first.jobUid);
    const ref = { apiVersion: 'batch/v1', kind: 'Job', namespace: second.namespace, name: second.jobName };
    expect(cluster.store.get(ref)?.metadata.uid).toBe(second.jobUid);
  });

  it('remaps uids in pod owners, labels and event involvedObject', async () => {
    const scenario = await loadScenario(join(fixtures, 'oom-cronjob-pod-lister-128mi.json'));
    const played = await playScenario(cluster, scenario, instant);
    const pods = cluster.store.list(podType, played.namespace);
    const owned = pods.filter((p) => p.metadata.labels?.['batch.kubernetes.io/controller-uid'] === played.jobUid);
    expect(owned.length).toBeGreaterThan(0);
    for (const pod of owned) {
      const owners = pod.metadata['ownerReferences'] as { uid: string }[];
      expect(owners[0]?.uid).toBe(played.jobUid);
    }
    expect(Object.values(played.uids)).toContain(played.jobUid);
    expect(Object.keys(played.uids)).not.toContain(played.jobUid);
  });

  it('waits between steps with compressed and capped gaps', async () => {
    const scenario = await loadScenario(join(fixtures, 'deadline-backup-cronjob-sigkill-137.json'));
    const waits: number[] = [];
    await playScenario(cluster, scenario, { speed: 60, maxGapMs: 500, delay: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    } });
    expect(waits.length).toBeGreaterThan(0);
    expect(Math.max(...waits)).toBeLessThanOrEqual(500);
    expect(waits.every((ms) => ms > 0)).toBe(true);
  });

  it('makes logs readable once the container ran', async () => {
    const scenario = await loadScenario(join(fixtures, 'oom-previous-run-then-stale-output.json'));
    const log = scenario.logs[0]!;
    let readableAt = -1;
    let step = 0;
    const response = async () => {
      const params = new URLSearchParams({ container: log.container, previous: String(log.previous) });
      const url = `${cluster.url}/api/v1/namespaces/${log.namespace}/pods/${log.pod}/log?${params.toString()}`;
      return await fetch(url);
    };
    await playScenario(cluster, scenario, {
      delay: async () => {
        step += 1;
        if (readableAt < 0 && (await response()).status === 200) readableAt = step;
      },
    });
    const final = await response();
    expect(final.status).toBe(200);
    expect(await final.text()).toBe(log.text);
    expect(readableAt).toBeGreaterThan(1);
  });

  it('plays every fixture scenario without error', async () => {
    const scenarios = await loadScenarios(fixtures);
    expect(scenarios.length).toBeGreaterThan(40);
    for (const scenario of scenarios) {
      const played = await playScenario(cluster, scenario, instant);
      expect(played.jobUid).not.toBe('');
    }
  });
});

describe('parseScenario', () => {
  it('names the file and the invalid field', () => {
    const text = JSON.stringify({ id: 'x', title: 't', objects: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }], logs: [], expected: { reason: null, cause: 'c', evidence: [] } });
    expect(() => parseScenario(text, 'x.json')).toThrow(/x\.json: objects\.0\.metadata\.uid: /);
  });

  it('rejects an id that differs from the file name', async () => {
    const valid = await loadScenario(join(fixtures, 'render-job-secret-not-found.json'));
    const text = JSON.stringify({ ...valid, id: 'other' });
    expect(() => parseScenario(text, 'dir/x.json')).toThrow(
      'dir/x.json: id: "other" does not match the file name "x"',
    );
  });
});
