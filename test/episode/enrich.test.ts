import type { CoreV1Event, V1Job } from '@kubernetes/client-node';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ClusterReader } from '../../src/episode/cluster-reader.ts';
import { enrichEpisode } from '../../src/episode/enrich.ts';

function event(kind: string, name: string, reason: string, message: string): CoreV1Event {
  return { metadata: { name: `${name}.${reason}` }, involvedObject: { kind, name }, reason, message };
}

describe('enrichEpisode', () => {
  it('reads the events of a pod the Job created that is gone', async () => {
    const asked: string[] = [];
    const reader: ClusterReader = {
      getJob: () => Promise.resolve(undefined),
      getCronJob: () => Promise.resolve(undefined),
      getPod: () => Promise.resolve(undefined),
      listJobPods: () => Promise.resolve([]),
      listEventsFor: (_namespace, object) => {
        asked.push(`${object.kind}/${object.name}`);
        if (object.kind === 'Job') return Promise.resolve([event('Job', 'nightly', 'SuccessfulCreate', 'Created pod: nightly-x7k2p')]);
        return Promise.resolve([event('Pod', object.name, 'Preempted', 'Preempted by pod 1234 on node n1')]);
      },
      readPodLog: () => Promise.resolve({ unavailable: 'pod-not-found' }),
    };
    const job: V1Job = { metadata: { name: 'nightly', namespace: 'batch', uid: 'job-1' }, spec: { template: {} } };
    const enriched = await enrichEpisode({ reader, logger: pino({ level: 'silent' }), tailLines: 100, limitBytes: 10_000 }, { namespace: 'batch', name: 'nightly', uid: 'job-1' }, job, {});
    expect(asked).toContain('Pod/nightly-x7k2p');
    expect(enriched?.snapshot.events.map((e) => e.reason)).toEqual(['SuccessfulCreate', 'Preempted']);
  });
});
