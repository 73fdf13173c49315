import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimCluster, type SimCluster } from '../../src/sim/index.ts';
import { startFakeSlack } from '../fake-slack/index.ts';
import type { FakeSlack } from '../fake-slack/types.ts';
import { eventually } from '../support/harness.ts';
import { killAll, processEnv, startReadyJobwatch, type JobwatchProcess } from '../support/jobwatch-process.ts';
import { JobStory } from '../support/job-story.ts';
import { uniquePrefix } from '../support/redis.ts';

const CHANNEL = 'C0ALERTS';
/** Short Lease settings, in seconds: a 4 s term, a 3 s renew deadline, 1 s between tries. */
const LEASE = { duration: 4, renewDeadline: 3, retryPeriod: 1 };

let sim: SimCluster;
let slack: FakeSlack;
const started: JobwatchProcess[] = [];

beforeAll(async () => {
  sim = await startSimCluster();
  slack = await startFakeSlack({ channels: [{ id: CHANNEL, name: 'job-alerts' }] });
});
afterEach(() => killAll(started));
afterAll(async () => {
  await slack.stop();
  await sim.stop();
});

function envFor(prefix: string): Record<string, string> {
  return {
    ...processEnv(prefix, sim, slack, CHANNEL),
    JOBWATCH_CLUSTER_NAME: prefix,
    JOBWATCH_LEADER_ELECTION: 'true',
    JOBWATCH_LEASE_DURATION_SECONDS: String(LEASE.duration),
    JOBWATCH_LEASE_RENEW_DEADLINE_SECONDS: String(LEASE.renewDeadline),
    JOBWATCH_LEASE_RETRY_PERIOD_SECONDS: String(LEASE.retryPeriod),
  };
}

function startReady(env: Record<string, string>): Promise<JobwatchProcess> {
  return startReadyJobwatch(env, started);
}

async function readinessChecks(proc: JobwatchProcess): Promise<Record<string, boolean>> {
  const res = await fetch(`http://127.0.0.1:${proc.port}/readyz`);
  return ((await res.json()) as { checks: Record<string, boolean> }).checks;
}

/** Returns the identity a process logged when it became the leader, if it did. */
function leaderIdentity(proc: JobwatchProcess): string | undefined {
  for (const line of proc.output().split('\n')) {
    if (!line.includes('"msg":"became the leader"')) continue;
    return (JSON.parse(line) as { identity: string }).identity;
  }
  return undefined;
}

function leaseSpec(prefix: string): Record<string, unknown> | undefined {
  const lease = sim.store.get({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: 'default', name: `jobwatch-watcher-${prefix}` });
  return lease?.['spec'] as Record<string, unknown> | undefined;
}

/** Samples the open watches at the simulated cluster and keeps the agents seen together. */
function sampleWatchers(prefix: string) {
  const samples: string[][] = [];
  const timer = setInterval(() => {
    const agents = sim.faults
      .openWatches()
      .filter((watch) => watch.path.includes(`/namespaces/${prefix}/`))
      .map((watch) => watch.userAgent ?? 'unknown');
    samples.push([...new Set(agents)]);
  }, 25);
  return { samples, stop: () => clearInterval(timer) };
}

function rootsFor(jobName: string) {
  return slack.messages(CHANNEL).filter((m) => (m.thread_ts === undefined || m.thread_ts === m.ts) && m.text.includes(jobName));
}

describe('two jobwatch replicas with leader election', () => {
  it('hands over after SIGKILL with one watcher and one post', async () => {
    const prefix = uniquePrefix('ha');
    const sampler = sampleWatchers(prefix);
    const first = await startReady(envFor(prefix));
    await eventually(() => leaderIdentity(first), 'the first replica to lead', 60_000);
    const second = await startReady(envFor(prefix));
    expect(await readinessChecks(second)).toMatchObject({ standby: true });
    expect(await readinessChecks(first)).toMatchObject({ leader: true });
    const firstAgent = `jobwatch/${leaderIdentity(first) ?? ''}`;
    await eventually(() => sampler.samples.at(-1)?.includes(firstAgent), 'the leader to watch');

    const before = leaseSpec(prefix);
    first.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const story = new JobStory(sim, { namespace: prefix, name: 'export-during-handover', backoffLimit: 0 });
    story.failPod(story.startPod(), { exitCode: 1, reason: 'Error', log: 'ValueError: bad row 17\n' });
    story.failJob();

    const secondId = await eventually(() => leaderIdentity(second), 'the second replica to lead', 60_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${second.output()}`);
    });
    await eventually(() => rootsFor(story.name).length > 0, 'the alert after the handover', 90_000);
    await eventually(() => /backoff limit/i.test(rootsFor(story.name)[0]?.text ?? ''), 'the final state shown', 90_000);
    sampler.stop();

    // The takeover, in the Lease's own terms: one more transition, to the second replica,
    // no sooner than one term after the last renewal it saw, and within two terms.
    const after = leaseSpec(prefix);
    expect(after?.['holderIdentity']).toBe(secondId);
    expect(after?.['leaseTransitions']).toBe(Number(before?.['leaseTransitions']) + 1);
    const gapMs = Date.parse(String(after?.['acquireTime'])) - Date.parse(String(before?.['renewTime']));
    expect(gapMs).toBeGreaterThanOrEqual(LEASE.duration * 1000);
    expect(gapMs).toBeLessThan(2 * LEASE.duration * 1000 + LEASE.retryPeriod * 2_200);

    expect(sampler.samples.some((agents) => agents.includes(`jobwatch/${secondId}`))).toBe(true);
    expect(sampler.samples.filter((agents) => agents.length > 1)).toEqual([]);
    expect(rootsFor(story.name)).toHaveLength(1);
  });

  it('hands over at once after SIGTERM', async () => {
    const prefix = uniquePrefix('ha-term');
    const first = await startReady(envFor(prefix));
    const firstId = await eventually(() => leaderIdentity(first), 'the first replica to lead', 60_000);
    const second = await startReady(envFor(prefix));
    await eventually(() => second.output().includes(`"holder":"${firstId}"`), 'the second replica to see the leader');

    const before = leaseSpec(prefix);
    first.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const released = first.output().split('\n').find((line) => line.includes('"msg":"stopped leading"'));
    expect(released).toContain('"reason":"released"');
    const secondId = await eventually(() => leaderIdentity(second), 'the second replica to lead', 60_000);
    // The second replica read the released Lease, with no holder, before it took it.
    expect(second.output()).toContain('"holder":"none"');
    const after = leaseSpec(prefix);
    const lastRenew = Date.parse(String(before?.['renewTime']));
    expect(after?.['holderIdentity']).toBe(secondId);
    // Released, the Lease is taken before the last renewal's term would have ended.
    expect(Date.parse(String(after?.['acquireTime'])) - lastRenew).toBeLessThan(LEASE.duration * 1000);
    expect(await readinessChecks(second)).toMatchObject({ leader: true });
  });
});
