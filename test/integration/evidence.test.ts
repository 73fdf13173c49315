import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { JobStory } from '../support/job-story.ts';
import { alertOf, contentOf, waitReady, waitSlackQuiet } from './slack-view.ts';

const NAMESPACE = 'evidence';
const DECISIVE_LINE = 'Error: connect ECONNREFUSED 10.20.0.5:5432';
const LOG = `starting migration 0042\nconnecting to orders-db\n${DECISIVE_LINE}\n`;

let harness: Harness | undefined;
afterEach(async () => {
  harness?.sim.faults.clear();
  await harness?.stop();
  harness = undefined;
});

/** The path the worker lists a Job's pods on; the watcher watches pods of all namespaces instead. */
const WORKER_POD_LIST = `/api/v1/namespaces/${NAMESPACE}/pods`;

describe('captured evidence', () => {
  it('shows exit code and log of a pod deleted early', async () => {
    harness = await startHarness({ env: { JOBWATCH_STUCK_AFTER_SECONDS: '1' } });
    const h = harness;
    await waitReady(h);
    // The worker's pod list waits, so the pod can be deleted after the watcher captured it but
    // before the worker would have read it.
    h.sim.faults.setLatency(1500, WORKER_POD_LIST);
    const story = new JobStory(h.sim, { namespace: NAMESPACE, name: 'orders-migrate', backoffLimit: 0 });
    const pod = story.startPod();
    story.failPod(pod, { exitCode: 3, reason: 'Error', log: LOG });

    // The worker reads only after the watcher captured the evidence and sent the signal.
    await eventually(() => h.sim.faults.requestCount(WORKER_POD_LIST) > 0, 'the worker listing pods');
    story.deletePod(pod);
    expect(h.sim.faults.requestCount(`${WORKER_POD_LIST}/${pod}/log`)).toBe(1);

    const alert = await eventually(() => {
      const found = alertOf(h.slack, story.uid);
      return found && contentOf(found).includes(DECISIVE_LINE) ? found : undefined;
    }, 'an alert quoting the captured log');
    expect(contentOf(alert)).toContain('exit code 3');
    expect(contentOf(alert)).toContain('dependency-unavailable');
    // Only the watcher's capture read the log: the pod was gone when the worker looked.
    expect(h.sim.faults.requestCount(`${WORKER_POD_LIST}/${pod}/log`)).toBe(1);
    expect(h.sim.store.get({ apiVersion: 'v1', kind: 'Pod', namespace: NAMESPACE, name: pod })).toBeUndefined();
  });

  it('ends a Job deleted while failing as deleted, evidence kept', async () => {
    harness = await startHarness({ env: { JOBWATCH_STUCK_AFTER_SECONDS: '1' } });
    const h = harness;
    await waitReady(h);
    const story = new JobStory(h.sim, { namespace: NAMESPACE, name: 'orders-backfill', backoffLimit: 3 });
    const pod = story.startPod();
    story.failPod(pod, { exitCode: 3, reason: 'Error', log: LOG });
    const first = await eventually(() => alertOf(h.slack, story.uid), 'the first alert');
    expect(first.text).toMatch(/is failing/);

    // Deleting a Job with the default propagation removes its pods too.
    story.deletePod(pod);
    story.deleteJob();
    const deleted = await eventually(() => {
      const found = alertOf(h.slack, story.uid);
      return found && /was deleted while failing/.test(found.text) ? found : undefined;
    }, 'the alert updated to deleted');
    await waitSlackQuiet(h.slack);

    expect(deleted.ts).toBe(first.ts);
    expect(contentOf(deleted)).toContain(DECISIVE_LINE);
    expect(contentOf(deleted)).toContain('exit code 3');
    expect((await h.jobwatch.store.getEpisode(story.uid))?.state).toBe('deleted');
    const evidence = await h.jobwatch.store.getEvidence(story.uid);
    expect(Object.values(evidence).flatMap((e) => e.logs.map((l) => l.text)).join('\n')).toContain(DECISIVE_LINE);
  });
});
