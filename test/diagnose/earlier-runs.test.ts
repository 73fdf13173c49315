import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose/diagnose.ts';
import type { Diagnosis } from '../../src/diagnose/types.ts';
import { BACKOFF, DEADLINE, buildContainer, buildJob, buildLog, buildPod, buildSnapshot, JOB, terminated } from './builders.ts';

const TRACEBACK = 'Traceback (most recent call last):\n  File "load.py", line 41, in <module>\nKeyError: \'customer_id\'';
const REFUSED = 'psycopg2.OperationalError: connection to server at "10.0.0.7", port 5432 failed: Connection refused';

function quotes(diagnosis: Diagnosis): string[] {
  return diagnosis.evidence.map((q) => `${q.object ?? ''} | ${q.text}`);
}

describe('earlier attempts behind a consequence', () => {
  it('blames the previous run of an OnFailure pod stopped at the backoff limit', () => {
    const status = { state: terminated(143, 'Error', 72), restartCount: 2 };
    const pod = buildPod({ name: `${JOB}-c`, containers: [buildContainer({ status })] });
    const snapshot = buildSnapshot({
      job: buildJob({ failed: BACKOFF, restartPolicy: 'OnFailure' }),
      pods: [pod],
      logs: [buildLog(TRACEBACK, { pod: `${JOB}-c`, previous: true })],
    });
    const diagnosis = diagnose(snapshot);
    expect(diagnosis.cause).toBe('app-error');
    expect(diagnosis.summary).toContain("KeyError: 'customer_id'");
    expect(quotes(diagnosis)).toContain(`pod/${JOB}-c container main | state.terminated: Error, exit code 143, restartCount: 2`);
    expect(quotes(diagnosis).some((q) => q.includes('(previous run)') && q.includes('KeyError'))).toBe(true);
    expect(diagnosis.pod).toBe(`${JOB}-c`);
  });

  it('reads the previous run of a container the kubelet lost track of', () => {
    const status = { state: terminated(137, 'ContainerStatusUnknown', 65), restartCount: 1 };
    const pod = buildPod({ name: `${JOB}-u`, containers: [buildContainer({ status })] });
    const snapshot = buildSnapshot({
      job: buildJob({ failed: BACKOFF, restartPolicy: 'OnFailure' }),
      pods: [pod],
      logs: [buildLog(REFUSED, { pod: `${JOB}-u`, previous: true })],
    });
    const diagnosis = diagnose(snapshot);
    expect(diagnosis.cause).toBe('dependency-unavailable');
    expect(quotes(diagnosis).some((q) => q.includes('ContainerStatusUnknown'))).toBe(true);
  });

  it('blames earliest failure over later stop', () => {
    const first = buildPod({ name: `${JOB}-a`, containers: [buildContainer({ status: { state: terminated(1, 'Error', 30) } })] });
    const second = buildPod({ name: `${JOB}-b`, createdSeconds: 35, containers: [buildContainer({ status: { state: terminated(1, 'Error', 80) } })] });
    const stopped = buildPod({ name: `${JOB}-c`, createdSeconds: 85, containers: [buildContainer({ status: { state: terminated(143, 'Error', 600) } })] });
    const snapshot = buildSnapshot({
      job: buildJob({ failed: DEADLINE, activeDeadlineSeconds: 600, backoffLimit: 3 }),
      pods: [first, second, stopped],
      logs: [buildLog(TRACEBACK, { pod: `${JOB}-a` }), buildLog(TRACEBACK, { pod: `${JOB}-b` })],
    });
    const diagnosis = diagnose(snapshot);
    expect(diagnosis.cause).toBe('app-error');
    expect(diagnosis.pod).toBe(`${JOB}-a`);
    expect(diagnosis.secondary).toContain('deadline-exceeded');
    expect(quotes(diagnosis)).toContain(`pod/${JOB}-c container main | state.terminated: Error, exit code 143`);
  });

  it('keeps the stop as the cause when the previous log shows no error', () => {
    const status = { state: terminated(143, 'Error', 600), restartCount: 1 };
    const pod = buildPod({ name: `${JOB}-c`, containers: [buildContainer({ status })] });
    const snapshot = buildSnapshot({
      job: buildJob({ failed: DEADLINE, activeDeadlineSeconds: 600, restartPolicy: 'OnFailure' }),
      pods: [pod],
      logs: [buildLog('processed batch 1\nprocessed batch 2', { pod: `${JOB}-c`, previous: true })],
    });
    const diagnosis = diagnose(snapshot);
    expect(diagnosis.cause).toBe('deadline-exceeded');
    expect(diagnosis.confidence).toBe('high');
  });
});
