import { afterEach, describe, expect, it } from 'vitest';
import { JobStory } from '../support/job-story.ts';
import { ALERT_CHANNEL, eventually, startHarness, type Harness } from '../support/harness.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

function rootMessages(h: Harness, channel = ALERT_CHANNEL) {
  return h.slack.messages(channel).filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts);
}

describe('living message', () => {
  it('posts one message at the first failure and updates it to the final state', async () => {
    harness = await startHarness();
    const h = harness;
    await eventually(() => h.jobwatch.ready(), 'jobwatch ready');
    const story = new JobStory(h.sim, { namespace: 'reports', name: 'nightly-report', backoffLimit: 1, memoryLimit: '512Mi' });

    const first = story.startPod();
    story.failPod(first, { exitCode: 137, reason: 'OOMKilled', log: 'loading rows\nMemoryError while building the rollup\n' });
    const posted = await eventually(() => rootMessages(h)[0], 'the first post');
    expect(posted.text).toContain('reports/nightly-report');
    expect(posted.text.toLowerCase()).toContain('attempt 1 of 2');

    const second = story.startPod();
    story.failPod(second, { exitCode: 137, reason: 'OOMKilled' });
    story.failJob();

    const final = await eventually(() => {
      const msg = rootMessages(h)[0];
      return msg && /backoff limit/i.test(msg.text) ? msg : undefined;
    }, 'the final update');
    expect(rootMessages(h)).toHaveLength(1);
    expect(final.ts).toBe(posted.ts);
    expect(JSON.stringify(final.blocks)).toContain('oom-killed');

    const replies = await eventually(() => {
      const r = h.slack.thread(ALERT_CHANNEL, posted.ts).filter((m) => m.ts !== posted.ts);
      return r.length === 2 ? r : undefined;
    }, 'one reply per attempt');
    expect(replies.map((r) => r.text).join('\n')).toMatch(/Attempt 1/);
  });
});
