import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose/diagnose.ts';
import type { Snapshot } from '../../src/diagnose/types.ts';
import { BACKOFF, DEADLINE, buildContainer, buildJob, buildLog, buildPod, buildSnapshot, JOB, terminated } from './builders.ts';

const REFUSED = 'psycopg2.OperationalError: connection to server at "127.0.0.1", port 5432 failed: Connection refused';

function oomPod(name: string, finishedSeconds = 40) {
  return buildPod({ name, containers: [buildContainer({ memoryLimit: '512Mi', status: { state: terminated(137, 'OOMKilled', finishedSeconds) } })] });
}

function refusedPod(name: string, finishedSeconds = 65) {
  return buildPod({ name, createdSeconds: 45, containers: [buildContainer({ status: { state: terminated(1, 'Error', finishedSeconds) } })] });
}

function evictedPod(name: string) {
  const message = 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 92Mi. Container main was using 1900Mi, request is 512Mi, has larger consumption of memory.';
  return buildPod({
    name,
    createdSeconds: 50,
    reason: 'Evicted',
    message,
    containers: [buildContainer({ status: { state: terminated(137, 'ContainerStatusUnknown', 68) } })],
    conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message, lastTransitionTime: '2026-01-10T02:01:08Z' as unknown as Date }],
  });
}

function withLogs(snapshot: Snapshot, ...logs: Snapshot['logs']): Snapshot {
  return { ...snapshot, logs };
}

describe('conflicting signals', () => {
  it('gives a lone OOM kill high confidence and no secondary cause', () => {
    const diagnosis = diagnose(buildSnapshot({ job: buildJob({ failed: BACKOFF }), pods: [oomPod(`${JOB}-a`)] }));
    expect(diagnosis.cause).toBe('oom-killed');
    expect(diagnosis.confidence).toBe('high');
    expect(diagnosis.secondary).toEqual([]);
  });

  it('keeps OOM primary but lowers confidence when a later run logs connection refused', () => {
    const snapshot = buildSnapshot({ job: buildJob({ failed: BACKOFF }), pods: [oomPod(`${JOB}-a`), refusedPod(`${JOB}-b`)] });
    const diagnosis = diagnose(withLogs(snapshot, buildLog(REFUSED, { pod: `${JOB}-b` })));
    expect(diagnosis.cause).toBe('oom-killed');
    expect(diagnosis.secondary).toContain('dependency-unavailable');
    expect(diagnosis.confidence).toBe('medium');
  });

  it('lowers confidence when the OOM kill and the refused connection are runs of one container', () => {
    const container = buildContainer({
      memoryLimit: '512Mi',
      status: { state: terminated(1, 'Error', 65), lastState: terminated(137, 'OOMKilled', 40), restartCount: 1 },
    });
    const pod = buildPod({ name: `${JOB}-a`, containers: [container] });
    const diagnosis = diagnose(withLogs(buildSnapshot({ job: buildJob({ failed: BACKOFF, restartPolicy: 'OnFailure' }), pods: [pod] }), buildLog(REFUSED, { pod: `${JOB}-a` })));
    expect(diagnosis.cause).toBe('oom-killed');
    expect(diagnosis.secondary).toContain('dependency-unavailable');
    expect(diagnosis.confidence).toBe('medium');
  });

  it('gives a SIGKILL at the deadline high confidence and no secondary cause', () => {
    const pod = buildPod({ containers: [buildContainer({ memoryLimit: '1Gi', status: { state: terminated(137, 'Error', 600) } })] });
    const diagnosis = diagnose(buildSnapshot({ job: buildJob({ failed: DEADLINE, activeDeadlineSeconds: 600 }), pods: [pod] }));
    expect(diagnosis.cause).toBe('deadline-exceeded');
    expect(diagnosis.confidence).toBe('high');
    expect(diagnosis.secondary).toEqual([]);
  });

  it('names the deadline as secondary and lowers confidence for exit 137 before the deadline', () => {
    const killed = buildPod({ name: `${JOB}-a`, containers: [buildContainer({ memoryLimit: '1Gi', status: { state: terminated(137, 'Error', 560) } })] });
    const snapshot = buildSnapshot({ job: buildJob({ failed: DEADLINE, activeDeadlineSeconds: 600 }), pods: [killed] });
    const diagnosis = diagnose(withLogs(snapshot, buildLog('loading partition 14\nKilled', { pod: `${JOB}-a` })));
    expect(diagnosis.cause).toBe('oom-killed');
    expect(diagnosis.secondary).toContain('deadline-exceeded');
    expect(diagnosis.confidence).toBe('low');
  });

  it('ranks deadline over OOMKilled at the deadline', () => {
    const pod = buildPod({ containers: [buildContainer({ memoryLimit: '1Gi', status: { state: terminated(137, 'OOMKilled', 600) } })] });
    const diagnosis = diagnose(buildSnapshot({ job: buildJob({ failed: DEADLINE, activeDeadlineSeconds: 600 }), pods: [pod] }));
    expect(diagnosis.cause).toBe('deadline-exceeded');
    expect(diagnosis.secondary).toEqual(['oom-killed']);
    expect(diagnosis.confidence).toBe('medium');
    expect(diagnosis.evidence.map((q) => q.text).join('\n')).toContain('OOMKilled');
    expect(diagnosis.summary).toContain('OOMKilled');
  });

  it('reads OOMKilled during the grace period after the deadline as the deadline', () => {
    const pod = buildPod({ containers: [buildContainer({ memoryLimit: '1Gi', status: { state: terminated(137, 'OOMKilled', 618) } })] });
    const diagnosis = diagnose(buildSnapshot({ job: buildJob({ failed: DEADLINE, activeDeadlineSeconds: 600 }), pods: [pod] }));
    expect(diagnosis.cause).toBe('deadline-exceeded');
    expect(diagnosis.secondary).toEqual(['oom-killed']);
    expect(diagnosis.confidence).toBe('medium');
  });

  it('names OOM secondary for a Killed line at the deadline', () => {
    const killed = buildPod({ name: `${JOB}-a`, containers: [buildContainer({ memoryLimit: '1Gi', status: { state: terminated(137, 'Error', 600) } })] });
    const snapshot = buildSnapshot({ job: buildJob({ failed: DEADLINE, activeDeadlineSeconds: 600 }), pods: [killed] });
    const diagnosis = diagnose(withLogs(snapshot, buildLog('loading partition 14\nKilled', { pod: `${JOB}-a` })));
    expect(diagnosis.cause).toBe('deadline-exceeded');
    expect(diagnosis.secondary).toEqual(['oom-killed']);
    expect(diagnosis.confidence).toBe('medium');
  });

  it('keeps an OOM kill clearly before the deadline primary with the deadline secondary', () => {
    const pod = buildPod({ containers: [buildContainer({ memoryLimit: '1Gi', status: { state: terminated(137, 'OOMKilled', 560) } })] });
    const diagnosis = diagnose(buildSnapshot({ job: buildJob({ failed: DEADLINE, activeDeadlineSeconds: 600 }), pods: [pod] }));
    expect(diagnosis.cause).toBe('oom-killed');
    expect(diagnosis.secondary).toContain('deadline-exceeded');
    expect(diagnosis.confidence).toBe('medium');
  });

  it('gives a lone kubelet eviction high confidence', () => {
    const diagnosis = diagnose(buildSnapshot({ job: buildJob({ failed: BACKOFF }), pods: [evictedPod(`${JOB}-e`)] }));
    expect(diagnosis.cause).toBe('evicted');
    expect(diagnosis.confidence).toBe('high');
    expect(diagnosis.secondary).toEqual([]);
  });

  it('names the other failure and lowers confidence when an eviction sits beside it', () => {
    const snapshot = buildSnapshot({ job: buildJob({ failed: BACKOFF }), pods: [refusedPod(`${JOB}-b`, 30), evictedPod(`${JOB}-e`)] });
    const diagnosis = diagnose(withLogs(snapshot, buildLog(REFUSED, { pod: `${JOB}-b` })));
    expect(diagnosis.cause).toBe('evicted');
    expect(diagnosis.secondary).toContain('dependency-unavailable');
    expect(diagnosis.confidence).toBe('medium');
  });
});
