import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenario, playScenario } from '../../src/sim/index.ts';
import type { StoredMessage } from '../fake-slack/types.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { alertOf, contentOf, messagesWithKey, waitReady, waitSlackQuiet } from './slack-view.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** Creates a CronJob whose last run was scheduled three hours ago and that started none since. */
function createIdleCronJob(h: Harness): string {
  const uid = randomUUID();
  const hour = 60 * 60 * 1000;
  const lastSlot = Math.floor(Date.now() / hour) * hour - 3 * hour;
  h.sim.store.create({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'usage-rollup', namespace: 'metering', uid, creationTimestamp: new Date(lastSlot - 30 * 24 * hour).toISOString() },
    spec: {
      schedule: '0 * * * *',
      concurrencyPolicy: 'Allow',
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'rollup', image: 'registry.example.com/rollup:3' }] } } } },
    },
    status: { lastScheduleTime: new Date(lastSlot).toISOString() },
  });
  return uid;
}

async function alertFor(h: Harness, key: string): Promise<StoredMessage> {
  return await eventually(() => {
    const alert = alertOf(h.slack, key);
    return alert && contentOf(alert).includes('schedule-missed') ? alert : undefined;
  }, `a schedule-missed alert for ${key}`, 30_000);
}

describe('CronJob that stopped producing runs', () => {
  it('alerts once on a CronJob that missed its schedule', async () => {
    harness = await startHarness({ env: { JOBWATCH_STUCK_AFTER_SECONDS: '1' } });
    const h = harness;
    await waitReady(h);
    const uid = createIdleCronJob(h);
    const alert = await alertFor(h, uid);
    const text = contentOf(alert);
    expect(text).toContain('CronJob metering/usage-rollup started no run for');
    expect(text).toContain('kubectl get cronjob usage-rollup -n metering -o yaml');
    await waitSlackQuiet(h.slack);
    expect(messagesWithKey(h.slack, 'jobwatch_alert', uid)).toHaveLength(1);
  }, 60_000);

  it('alerts on a Forbid run that hangs, quoting the skipped runs', async () => {
    harness = await startHarness({ env: { JOBWATCH_STUCK_AFTER_SECONDS: '1' } });
    const h = harness;
    await waitReady(h);
    const scenario = await loadScenario('fixtures/scenarios/cronjob-forbid-cli-cron-run-hung-skips-schedule.json');
    const played = await playScenario(h.sim, scenario, { speed: 100_000, maxGapMs: 20 });
    const alert = await alertFor(h, played.jobUid);
    const text = contentOf(alert);
    expect(text).toContain('skipped 20 scheduled run(s)');
    expect(text).toContain('JobAlreadyActive');
    await waitSlackQuiet(h.slack);
    expect(messagesWithKey(h.slack, 'jobwatch_alert', played.jobUid)).toHaveLength(1);
  }, 60_000);
});
