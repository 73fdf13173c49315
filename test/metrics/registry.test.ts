import { describe, expect, it } from 'vitest';
import type { QueueReader } from '../../src/metrics/queue-gauges.ts';
import { createJobwatchMetrics } from '../../src/metrics/registry.ts';
import type { WatchSource } from '../../src/metrics/watch-gauges.ts';

/** Every metric jobwatch registers itself, apart from Node's process metrics. */
const JOBWATCH_METRICS = [
  'jobwatch_failure_to_post_seconds',
  'jobwatch_episodes_total',
  'jobwatch_queue_waiting_jobs',
  'jobwatch_queue_active_jobs',
  'jobwatch_queue_failed_jobs',
  'jobwatch_queue_oldest_waiting_age_seconds',
  'jobwatch_metrics_collect_errors_total',
  'jobwatch_slack_calls_total',
  'jobwatch_slack_retry_after_seconds',
  'jobwatch_watch_restarts_total',
  'jobwatch_watch_last_event_age_seconds',
  'jobwatch_evidence_total',
  'jobwatch_actions_total',
];

/** Builds a queue with fixed counts and oldest job that counts how often it is read. */
function fakeQueue(name: string, waiting: number, oldestTimestamp?: number): QueueReader & { reads: number } {
  const queue = {
    name,
    reads: 0,
    getJobCounts() {
      queue.reads += 1;
      return Promise.resolve({ wait: waiting, active: 1, failed: 2 });
    },
    getWaiting() {
      return Promise.resolve(oldestTimestamp === undefined ? [] : [{ timestamp: oldestTimestamp, delay: 0 }]);
    },
  };
  return queue;
}

function failingQueue(name: string): QueueReader {
  const down = () => Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false"));
  return { name, getJobCounts: down, getWaiting: down };
}

function fakeWatch(resource: string, lastEventAt: number | undefined): WatchSource {
  return {
    resource,
    stats: () => ({ restartsByReason: { expired: 1, error: 2, stall: 3, closed: 4 }, oldestLastEventAt: lastEventAt }),
  };
}

/** Returns the value of one sample line, such as `name{label="x"} 3`, or undefined. */
function sample(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('createJobwatchMetrics', () => {
  it('exposes every jobwatch metric', async () => {
    const m = createJobwatchMetrics();
    const { contentType, body } = await m.scrape();
    expect(contentType).toContain('text/plain');
    for (const name of JOBWATCH_METRICS) expect(body, name).toContain(`# TYPE ${name} `);
    expect(body).toContain('# TYPE jobwatch_process_cpu_user_seconds_total counter');
    expect(body).toContain('# TYPE jobwatch_nodejs_eventloop_lag_seconds gauge');
  });

  it('keeps two registries apart', async () => {
    const first = createJobwatchMetrics();
    const second = createJobwatchMetrics();
    first.metrics.action('retry', 'done');
    expect(sample((await first.scrape()).body, 'jobwatch_actions_total{action="retry",outcome="done"}')).toBe(1);
    expect(sample((await second.scrape()).body, 'jobwatch_actions_total{action="retry",outcome="done"}')).toBeUndefined();
  });

  it('observes the first-post latency', async () => {
    const m = createJobwatchMetrics();
    m.metrics.firstPost({ cluster: 'prod', cause: 'oom_killed', failedAtMs: 10_000, acceptedAtMs: 10_300 });
    const { body } = await m.scrape();
    expect(sample(body, 'jobwatch_failure_to_post_seconds_count{cluster="prod"}')).toBe(1);
    expect(sample(body, 'jobwatch_failure_to_post_seconds_sum{cluster="prod"}')).toBeCloseTo(0.3);
    expect(sample(body, 'jobwatch_failure_to_post_seconds_bucket{le="0.25",cluster="prod"}')).toBe(0);
    expect(sample(body, 'jobwatch_failure_to_post_seconds_bucket{le="0.5",cluster="prod"}')).toBe(1);
    expect(sample(body, 'jobwatch_episodes_total{cluster="prod",cause="oom_killed"}')).toBe(1);
  });

  it('counts an adopted post without latency', async () => {
    const m = createJobwatchMetrics();
    m.metrics.firstPost({ cluster: '', cause: 'unknown', failedAtMs: 10_000, acceptedAtMs: undefined });
    const { body } = await m.scrape();
    expect(sample(body, 'jobwatch_episodes_total{cluster="",cause="unknown"}')).toBe(1);
    expect(sample(body, 'jobwatch_failure_to_post_seconds_count{cluster=""}')).toBeUndefined();
  });

  it('clamps clock skew to zero', async () => {
    const m = createJobwatchMetrics();
    m.metrics.firstPost({ cluster: 'c', cause: 'app_error', failedAtMs: 20_000, acceptedAtMs: 19_000 });
    expect(sample((await m.scrape()).body, 'jobwatch_failure_to_post_seconds_sum{cluster="c"}')).toBe(0);
  });

  it('reports odd Slack errors as unexpected', async () => {
    const m = createJobwatchMetrics();
    m.metrics.slackCall('chat.postMessage', 'Some <html> text');
    m.metrics.slackCall('chat.postMessage', 'rate_limited', 30);
    const { body } = await m.scrape();
    expect(sample(body, 'jobwatch_slack_calls_total{method="chat.postMessage",result="unexpected"}')).toBe(1);
    expect(sample(body, 'jobwatch_slack_retry_after_seconds_count')).toBe(1);
    expect(sample(body, 'jobwatch_slack_retry_after_seconds_sum')).toBe(30);
  });

  it('counts evidence reads by kind and result', async () => {
    const m = createJobwatchMetrics();
    m.metrics.evidence('logs', 'truncated');
    m.metrics.evidence('events', 'captured', 3);
    m.metrics.evidence('pod', 'missing', 0);
    const { body } = await m.scrape();
    expect(sample(body, 'jobwatch_evidence_total{kind="logs",result="truncated"}')).toBe(1);
    expect(sample(body, 'jobwatch_evidence_total{kind="events",result="captured"}')).toBe(3);
    expect(sample(body, 'jobwatch_evidence_total{kind="pod",result="missing"}')).toBeUndefined();
  });
});

describe('queue gauges', () => {
  it('report counts and oldest age', async () => {
    const m = createJobwatchMetrics({ now: () => 100_000 });
    m.addQueues([fakeQueue('notify', 4, 70_000), fakeQueue('signals', 0)]);
    const { body } = await m.scrape();
    expect(sample(body, 'jobwatch_queue_waiting_jobs{queue="notify"}')).toBe(4);
    expect(sample(body, 'jobwatch_queue_active_jobs{queue="notify"}')).toBe(1);
    expect(sample(body, 'jobwatch_queue_failed_jobs{queue="notify"}')).toBe(2);
    expect(sample(body, 'jobwatch_queue_oldest_waiting_age_seconds{queue="notify"}')).toBe(30);
    expect(sample(body, 'jobwatch_queue_oldest_waiting_age_seconds{queue="signals"}')).toBe(0);
  });

  it('share one reading within the cache time', async () => {
    let nowMs = 0;
    const m = createJobwatchMetrics({ now: () => nowMs, queueCacheMs: 2_000 });
    const queue = fakeQueue('notify', 1);
    m.addQueues([queue]);
    await Promise.all([m.scrape(), m.scrape(), m.scrape()]);
    nowMs = 1_999;
    await m.scrape();
    expect(queue.reads).toBe(1);
    nowMs = 2_000;
    await m.scrape();
    expect(queue.reads).toBe(2);
  });

  it('count errors when Redis fails', async () => {
    const m = createJobwatchMetrics({ queueCacheMs: 0 });
    m.addQueues([failingQueue('notify')]);
    const first = (await m.scrape()).body;
    expect(sample(first, 'jobwatch_metrics_collect_errors_total{collector="queues"}')).toBe(1);
    expect(sample(first, 'jobwatch_queue_waiting_jobs{queue="notify"}')).toBeUndefined();
    const second = (await m.scrape()).body;
    expect(sample(second, 'jobwatch_metrics_collect_errors_total{collector="queues"}')).toBe(2);
  });

  it('count a hung reading as failed', async () => {
    const m = createJobwatchMetrics({ queueCacheMs: 0, queueTimeoutMs: 20 });
    const never = () => new Promise<never>(() => undefined);
    m.addQueues([{ name: 'notify', getJobCounts: never, getWaiting: never }]);
    const { body } = await m.scrape();
    expect(sample(body, 'jobwatch_metrics_collect_errors_total{collector="queues"}')).toBe(1);
  });
});

describe('watch gauges', () => {
  it('copy restart counts by reason', async () => {
    const m = createJobwatchMetrics({ now: () => 50_000 });
    m.addWatches([fakeWatch('jobs', 45_000)]);
    const { body } = await m.scrape();
    expect(sample(body, 'jobwatch_watch_restarts_total{resource="jobs",reason="expired"}')).toBe(1);
    expect(sample(body, 'jobwatch_watch_restarts_total{resource="jobs",reason="error"}')).toBe(2);
    expect(sample(body, 'jobwatch_watch_restarts_total{resource="jobs",reason="stall"}')).toBe(3);
    expect(sample(body, 'jobwatch_watch_restarts_total{resource="jobs",reason="closed"}')).toBe(4);
    expect(sample(body, 'jobwatch_watch_last_event_age_seconds{resource="jobs"}')).toBe(5);
  });

  it('age from first scrape before events', async () => {
    let nowMs = 1_000;
    const m = createJobwatchMetrics({ now: () => nowMs });
    m.addWatches([fakeWatch('pods', undefined)]);
    expect(sample((await m.scrape()).body, 'jobwatch_watch_last_event_age_seconds{resource="pods"}')).toBe(0);
    nowMs = 8_000;
    expect(sample((await m.scrape()).body, 'jobwatch_watch_last_event_age_seconds{resource="pods"}')).toBe(7);
  });

  it('report nothing without a watch', async () => {
    const m = createJobwatchMetrics();
    m.addWatches([{ resource: 'jobs', stats: () => undefined }]);
    const { body } = await m.scrape();
    expect(body).not.toContain('jobwatch_watch_last_event_age_seconds{');
    expect(body).not.toContain('jobwatch_watch_restarts_total{');
  });
});
