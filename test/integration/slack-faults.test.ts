import { afterEach, describe, expect, it } from 'vitest';
import { JobStory } from '../support/job-story.ts';
import { ALERT_CHANNEL, eventually, startHarness, type Harness } from '../support/harness.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

function roots(h: Harness, jobName: string) {
  return h.slack.messages(ALERT_CHANNEL).filter((m) => (m.thread_ts === undefined || m.thread_ts === m.ts) && m.text.includes(jobName));
}

function failJob(h: Harness, name: string): JobStory {
  const story = new JobStory(h.sim, { namespace: 'slack-faults', name, backoffLimit: 0 });
  story.failPod(story.startPod(), { exitCode: 1, reason: 'Error', log: 'Error: upstream returned 500\n' });
  story.failJob();
  return story;
}

describe('slack faults', () => {
  it('waits out a 429 and then posts once', async () => {
    harness = await startHarness();
    const h = harness;
    await eventually(() => h.jobwatch.ready(), 'jobwatch ready');
    h.slack.rateLimit('chat.postMessage', { calls: 2, retryAfterSeconds: 1 });
    failJob(h, 'rate-limited');
    await eventually(() => roots(h, 'rate-limited').length === 1, 'the post after the rate limit', 30_000);
    const limited = h.slack.calls('chat.postMessage').filter((c) => c.httpStatus === 429);
    expect(limited).toHaveLength(2);
    await eventually(() => /backoff limit/i.test(roots(h, 'rate-limited')[0]?.text ?? ''), 'the final state');
    expect(roots(h, 'rate-limited')).toHaveLength(1);
  });

  it('retries a 5xx without posting twice', async () => {
    harness = await startHarness();
    const h = harness;
    await eventually(() => h.jobwatch.ready(), 'jobwatch ready');
    h.slack.failNext('chat.postMessage', { httpStatus: 503 }, 3);
    failJob(h, 'slack-down');
    await eventually(() => roots(h, 'slack-down').length === 1, 'the post after the 503s', 60_000);
    await eventually(() => /backoff limit/i.test(roots(h, 'slack-down')[0]?.text ?? ''), 'the final state');
    expect(roots(h, 'slack-down')).toHaveLength(1);
  });

  it('posts the text alone when Slack rejects the blocks', async () => {
    harness = await startHarness();
    const h = harness;
    await eventually(() => h.jobwatch.ready(), 'jobwatch ready');
    h.slack.failNext('chat.postMessage', 'invalid_blocks', 1);
    failJob(h, 'rejected-blocks');
    await eventually(() => roots(h, 'rejected-blocks')[0], 'the text-only post');
    const accepted = h.slack.calls('chat.postMessage').filter((c) => c.httpStatus === 200 && c.response['ok'] === true);
    const plain = accepted.find((c) => String(c.args['text']).includes('rejected-blocks'));
    expect(String(plain?.args['text'])).toContain('could not render the full alert');
    expect(h.logLines().some((l) => l.includes('slack rejected the blocks'))).toBe(true);
    await eventually(() => /backoff limit/i.test(roots(h, 'rejected-blocks')[0]?.text ?? ''), 'the final state');
    expect(roots(h, 'rejected-blocks')).toHaveLength(1);
  });

  it('fails for good on a channel error without a retry loop', async () => {
    harness = await startHarness();
    const h = harness;
    await eventually(() => h.jobwatch.ready(), 'jobwatch ready');
    h.slack.failNext('chat.postMessage', 'is_archived', 5);
    failJob(h, 'archived-channel');
    await eventually(() => h.logLines().some((l) => l.includes('queue job failed for good')), 'the permanent failure logged');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // Each version of the message is tried once: the first failure and the final state.
    const attempts = h.slack.calls('chat.postMessage').filter((c) => JSON.stringify(c.args).includes('archived-channel'));
    const givenUp = h.logLines().filter((l) => l.includes('queue job failed for good') && l.includes('is_archived'));
    expect(attempts.length).toBeLessThanOrEqual(2);
    expect(givenUp).toHaveLength(attempts.length);
  });
});
