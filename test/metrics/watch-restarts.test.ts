import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ListWatch } from '../../src/kube/list-watch.ts';
import type { RawObject } from '../../src/kube/list-watch-source.ts';
import { createJobwatchMetrics } from '../../src/metrics/registry.ts';
import { bookmark, failWith, page, rawJob, ScriptedSource, sendThenHang } from '../kube/fake-source.ts';

let watch: ListWatch<{ name: string }> | undefined;
afterEach(async () => {
  await watch?.stop();
  watch = undefined;
});

function startWatch(source: ScriptedSource): ListWatch<{ name: string }> {
  watch = new ListWatch({
    source,
    path: '/apis/batch/v1/jobs',
    slim: (raw: RawObject) => ({ name: String((raw['metadata'] as { name?: string } | undefined)?.name) }),
    keyOf: (job) => job.name,
    logger: pino({ level: 'silent' }),
    stallTimeoutMs: 20,
    sleep: () => Promise.resolve(),
  });
  void watch.start();
  return watch;
}

describe('watch restart reasons', () => {
  it('sort every reopened watch by why it ended', async () => {
    const source = new ScriptedSource()
      .onList(page('10', [rawJob('a', '5')]), page('30', []))
      .onWatch([bookmark('20')], failWith(410, 'Expired'), failWith(500), sendThenHang([bookmark('31')]));
    const loop = startWatch(source);

    await vi.waitFor(() => expect(loop.stats().restartsByReason.stall).toBeGreaterThanOrEqual(1));
    const reasons = loop.stats().restartsByReason;
    expect(reasons.closed).toBe(1);
    expect(reasons.expired).toBe(1);
    expect(reasons.error).toBe(1);
    expect(loop.stats().oldestLastEventAt).toBeDefined();
  });

  it('reach the scrape by resource and reason', async () => {
    const source = new ScriptedSource().onList(page('10', [])).onWatch(failWith(500), sendThenHang([bookmark('11')]));
    const loop = startWatch(source);
    const m = createJobwatchMetrics();
    m.addWatches([{ resource: 'jobs', stats: () => loop.stats() }]);

    await vi.waitFor(() => expect(loop.stats().lastEventAt).toBeDefined());
    const { body } = await m.scrape();
    expect(body).toContain('jobwatch_watch_restarts_total{resource="jobs",reason="error"} 1');
    expect(body).toContain('jobwatch_watch_last_event_age_seconds{resource="jobs"}');
  });
});
