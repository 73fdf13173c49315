import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose/diagnose.ts';
import { BACKOFF, buildContainer, buildEvent, buildJob, buildPod, buildSnapshot, JOB } from './builders.ts';

const GONE = `${JOB}-gone1`;

function created(name: string, atSeconds: number) {
  return buildEvent('SuccessfulCreate', `Created pod: ${name}`, { kind: 'Job', atSeconds, type: 'Normal' });
}

describe('pods known only from their events', () => {
  it('names node-disruption at medium confidence for a preempted pod that is gone', () => {
    const diagnosis = diagnose(
      buildSnapshot({
        job: buildJob({ failed: BACKOFF }),
        events: [
          created(GONE, 1),
          buildEvent('Started', 'Started container main', { name: GONE, atSeconds: 3, type: 'Normal' }),
          buildEvent('Preempted', 'Preempted by pod 1f2e on node worker-3', { name: GONE, atSeconds: 40, type: 'Normal' }),
        ],
      }),
    );
    expect(diagnosis.cause).toBe('node-disruption');
    expect(diagnosis.confidence).toBe('medium');
    expect(diagnosis.pod).toBe(GONE);
    expect(diagnosis.evidence.map((e) => e.text)).toContain('Preempted: Preempted by pod 1f2e on node worker-3');
  });

  it('names evicted for a gone pod the kubelet evicted for node pressure', () => {
    const diagnosis = diagnose(
      buildSnapshot({
        job: buildJob({ failed: BACKOFF }),
        events: [created(GONE, 1), buildEvent('Evicted', 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 91Mi.', { name: GONE, atSeconds: 50 })],
      }),
    );
    expect(diagnosis.cause).toBe('evicted');
    expect(diagnosis.summary).toContain('low on resource: memory');
  });

  it('prefers the taint manager deletion over the NodeNotReady event before it', () => {
    const diagnosis = diagnose(
      buildSnapshot({
        job: buildJob({ failed: BACKOFF }),
        events: [
          created(GONE, 1),
          buildEvent('NodeNotReady', 'Node is not ready', { name: GONE, atSeconds: 30 }),
          buildEvent('TaintManagerEviction', `Marking for deletion Pod batch/${GONE}`, { name: GONE, atSeconds: 330, type: 'Normal' }),
        ],
      }),
    );
    expect(diagnosis.cause).toBe('node-disruption');
    expect(diagnosis.summary).toContain('taint manager');
    expect(diagnosis.evidence.map((e) => e.text)).toContain('NodeNotReady: Node is not ready');
  });

  it('ignores the events of pods that are still in the snapshot', () => {
    const pod = buildPod({ name: GONE, containers: [buildContainer({ status: { state: { running: {} } } })], phase: 'Running' });
    const diagnosis = diagnose(
      buildSnapshot({
        job: buildJob(),
        pods: [pod],
        events: [created(GONE, 1), buildEvent('NodeNotReady', 'Node is not ready', { name: GONE, atSeconds: 30 })],
      }),
    );
    expect(diagnosis.cause).toBe('unknown');
  });

  it('names nothing from a gone pod whose events show no disruption', () => {
    const diagnosis = diagnose(
      buildSnapshot({
        job: buildJob({ failed: BACKOFF }),
        events: [created(GONE, 1), buildEvent('Started', 'Started container main', { name: GONE, atSeconds: 3, type: 'Normal' })],
      }),
    );
    expect(diagnosis.cause).toBe('unknown');
  });
});
