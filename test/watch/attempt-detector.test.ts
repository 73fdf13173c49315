import { describe, expect, it } from 'vitest';
import { detectAttempts } from '../../src/watch/attempt-detector.ts';
import type { SlimContainer, SlimPod } from '../../src/watch/slim.ts';

function pod(containers: SlimContainer[], overrides: Partial<SlimPod> = {}): SlimPod {
  return {
    uid: 'pod-uid', namespace: 'ns', name: 'job-abcde', resourceVersion: '1', jobUid: 'job-uid', jobName: 'job',
    createdAt: '2026-01-01T00:00:00Z', phase: 'Running', containers, deleting: false, ...overrides,
  };
}
const running: SlimContainer = { name: 'main', init: false, restartCount: 0 };

describe('detectAttempts', () => {
  it('reports a container that terminates with a non-zero exit', () => {
    const before = pod([running]);
    const after = pod([{ ...running, terminated: { exitCode: 1, reason: 'Error' } }], { phase: 'Failed' });
    const found = detectAttempts(before, after);
    expect(found.map((a) => a.key)).toEqual(['pod-uid.0']);
    expect(found[0]?.termination?.exitCode).toBe(1);
  });

  it('reports an OOM kill reported with exit code 0', () => {
    const after = pod([{ ...running, terminated: { exitCode: 0, reason: 'OOMKilled' } }]);
    expect(detectAttempts(pod([running]), after)).toHaveLength(1);
  });

  it('ignores a clean exit', () => {
    const after = pod([{ ...running, terminated: { exitCode: 0, reason: 'Completed' } }], { phase: 'Succeeded' });
    expect(detectAttempts(pod([running]), after)).toEqual([]);
  });

  it('reports an OnFailure restart from lastState with the earlier run number', () => {
    const before = pod([{ ...running, restartCount: 1 }]);
    const after = pod([{ ...running, restartCount: 2, lastTerminated: { exitCode: 137, reason: 'OOMKilled' } }]);
    expect(detectAttempts(before, after).map((a) => a.key)).toEqual(['pod-uid.1']);
  });

  it('gives the terminated state and the later restart the same key', () => {
    const terminated = pod([{ ...running, restartCount: 0, terminated: { exitCode: 2 } }]);
    const restarted = pod([{ ...running, restartCount: 1, lastTerminated: { exitCode: 2 } }]);
    const first = detectAttempts(pod([running]), terminated).map((a) => a.key);
    const second = detectAttempts(undefined, restarted).map((a) => a.key);
    expect(first).toEqual(second);
  });

  it('does not repeat a failure already seen', () => {
    const failed = pod([{ ...running, terminated: { exitCode: 1 } }], { phase: 'Failed' });
    expect(detectAttempts(failed, { ...failed, resourceVersion: '2' })).toEqual([]);
  });

  it('reports a pod that failed without any container exit', () => {
    const before = pod([{ ...running }], { phase: 'Running' });
    const evicted = pod([{ ...running }], { phase: 'Failed', reason: 'Evicted' });
    const found = detectAttempts(before, evicted);
    expect(found).toHaveLength(1);
    expect(found[0]?.podReason).toBe('Evicted');
  });

  it('reports a failed init container', () => {
    const init: SlimContainer = { name: 'migrate', init: true, restartCount: 0, terminated: { exitCode: 1 } };
    const found = detectAttempts(undefined, pod([init], { phase: 'Failed' }));
    expect(found[0]?.container).toBe('migrate');
    expect(found[0]?.init).toBe(true);
  });
});
