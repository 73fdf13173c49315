import { afterEach, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../src/queue/redis-server.ts';
import { startFakeSlack } from '../fake-slack/index.ts';
import { ALERT_CHANNEL, eventually, startHarness, type Harness } from '../support/harness.ts';
import { JobStory } from '../support/job-story.ts';
import { alertOf, readyzStatus, waitReady } from '../integration/slack-view.ts';

let harness: Harness | undefined;
let redis: RedisServer | undefined;
afterEach(async () => {
  await harness?.stop();
  await redis?.stop();
  harness = undefined;
  redis = undefined;
});

/** Fetches `/metrics` of the running jobwatch. */
async function scrape(h: Harness): Promise<{ status: number; contentType: string; body: string }> {
  const response = await fetch(`http://127.0.0.1:${h.jobwatch.httpPort}/metrics`);
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: await response.text() };
}

/** Returns the value of one sample, such as `name{label="x"}`, or 0 when it is absent. */
function sample(body: string, series: string): number {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** Sums every sample of a metric whose labels contain all of `labels`. */
function total(body: string, name: string, labels: string[] = []): number {
  return body
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .filter((l) => labels.every((label) => l.includes(label)))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** Fails a Job with one attempt that exits 1, so the episode posts at once. */
function failJob(h: Harness, name: string): JobStory {
  const story = new JobStory(h.sim, { namespace: 'metrics', name, backoffLimit: 0 });
  story.failPod(story.startPod(), { exitCode: 1, reason: 'Error', log: 'Error: upstream returned 500\n' });
  story.failJob();
  return story;
}

describe('/metrics of a running jobwatch', () => {
  it('counts the first post of a failed Job', async () => {
    harness = await startHarness();
    const h = harness;
    await waitReady(h);
    const before = await scrape(h);
    expect(before.status).toBe(200);
    expect(before.contentType).toContain('text/plain; version=0.0.4');
    expect(total(before.body, 'jobwatch_failure_to_post_seconds_count')).toBe(0);

    const story = failJob(h, 'metrics-latency');
    const alert = await eventually(() => alertOf(h.slack, story.uid), 'the alert');
    const cause = await eventually(async () => (await h.jobwatch.store.getView(story.uid))?.cause, 'the diagnosis');
    expect(alert).toBeDefined();
    const after = await eventually(async () => {
      const scraped = await scrape(h);
      return total(scraped.body, 'jobwatch_failure_to_post_seconds_count') >= 1 ? scraped.body : undefined;
    }, 'the latency observation');
    expect(total(after, 'jobwatch_failure_to_post_seconds_count')).toBe(1);
    expect(total(after, 'jobwatch_episodes_total', [`cause="${cause}"`])).toBe(1);
    expect(total(after, 'jobwatch_slack_calls_total', ['method="chat.postMessage"', 'result="ok"'])).toBeGreaterThanOrEqual(1);
    expect(total(after, 'jobwatch_evidence_total', ['kind="logs"', 'result="captured"'])).toBeGreaterThanOrEqual(1);
    expect(total(after, 'jobwatch_evidence_total', ['kind="pod"'])).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'jobwatch_watch_restarts_total{resource="jobs",reason="error"}')).toBe(0);
    expect(after).toContain('jobwatch_watch_last_event_age_seconds{resource="pods"}');
    expect(after).toContain('jobwatch_queue_waiting_jobs{queue="signals",cluster="default"}');
    expect(after).toContain('jobwatch_queue_waiting_jobs{queue="notify"}');
  });

  it('counts a Slack 429 as rate_limited', async () => {
    harness = await startHarness();
    const h = harness;
    await waitReady(h);
    h.slack.rateLimit('chat.postMessage', { calls: 1, retryAfterSeconds: 1 });
    const story = failJob(h, 'metrics-rate-limited');
    await eventually(() => alertOf(h.slack, story.uid), 'the post after the rate limit', 30_000);
    const { body } = await scrape(h);
    expect(total(body, 'jobwatch_slack_calls_total', ['method="chat.postMessage"', 'result="rate_limited"'])).toBe(1);
    expect(sample(body, 'jobwatch_slack_retry_after_seconds_count')).toBe(1);
    expect(sample(body, 'jobwatch_slack_retry_after_seconds_sum')).toBe(1);
  });

  it('counts a platform error by code', async () => {
    harness = await startHarness();
    const h = harness;
    await waitReady(h);
    h.slack.failNext('chat.postMessage', 'internal_error', 1);
    const story = failJob(h, 'metrics-platform-error');
    await eventually(() => alertOf(h.slack, story.uid), 'the post after the error', 30_000);
    const { body } = await scrape(h);
    expect(total(body, 'jobwatch_slack_calls_total', ['method="chat.postMessage"', 'result="internal_error"'])).toBe(1);
  });

  it('keeps /readyz 200 when Slack errors', async () => {
    harness = await startHarness();
    const h = harness;
    await waitReady(h);
    h.slack.failNext('chat.postMessage', { httpStatus: 503 }, 50);
    failJob(h, 'metrics-slack-down');
    await eventually(async () => total((await scrape(h)).body, 'jobwatch_slack_calls_total', ['result="http_503"']) >= 2, 'failed Slack calls');
    expect(await readyzStatus(h)).toBe(200);
  });

  it('keeps /readyz 200 without Slack', async () => {
    // A fake Slack of the test's own, which the harness leaves alone when it stops.
    const slack = await startFakeSlack({ channels: [{ id: ALERT_CHANNEL, name: 'job-alerts' }] });
    harness = await startHarness({ slack });
    const h = harness;
    await waitReady(h);
    await slack.stop();
    failJob(h, 'metrics-slack-gone');
    await eventually(async () => total((await scrape(h)).body, 'jobwatch_slack_calls_total', ['result="network"']) >= 1, 'a network failure counted', 30_000);
    expect(await readyzStatus(h)).toBe(200);
  });

  it('answers scrapes while Redis is down', async () => {
    redis = await startRedisServer({ appendOnly: false });
    harness = await startHarness({ redisUrl: redis.url });
    const h = harness;
    await waitReady(h);
    const up = await scrape(h);
    expect(sample(up.body, 'jobwatch_metrics_collect_errors_total{collector="queues"}')).toBe(0);
    await redis.kill();
    const down = await eventually(async () => {
      const scraped = await scrape(h);
      expect(scraped.status).toBe(200);
      return sample(scraped.body, 'jobwatch_metrics_collect_errors_total{collector="queues"}') >= 1 ? scraped : undefined;
    }, 'a counted collect error');
    expect(down.status).toBe(200);
    expect(down.body).not.toContain('jobwatch_queue_waiting_jobs{');
    expect(down.body).toContain('jobwatch_process_cpu_user_seconds_total');
  });
});
