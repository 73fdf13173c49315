import { describe, expect, it } from 'vitest';
import { KubeApiError } from '../../src/kube/errors.ts';
import { classifyPodLogError } from '../../src/kube/pod-log.ts';
import { involvedObjectSelector, jobPodSelector } from '../../src/kube/reads.ts';

describe('classifyPodLogError', () => {
  const cases: [number, string, string | undefined][] = [
    [404, 'pods "p" not found', 'pod-not-found'],
    [400, 'pod p does not have a host assigned', 'pod-not-scheduled'],
    [400, 'previous terminated container "main" in pod "p" not found', 'previous-not-found'],
    [400, 'container "main" in pod "p" is waiting to start: ErrImagePull', 'container-not-started'],
    [400, 'container "main" in pod "p" is waiting to start - no logs yet', 'container-not-started'],
    [400, 'container "main" in pod "p" is not available', 'container-not-started'],
    [400, 'container nope is not valid for pod p', undefined],
    [403, 'pods "p" is forbidden', undefined],
    [500, 'dial tcp 10.0.0.1:10250: connect: connection refused', undefined],
  ];
  for (const [code, statusMessage, expected] of cases) {
    it(`maps ${code} "${statusMessage.slice(0, 40)}" to ${expected ?? 'an error'}`, () => {
      expect(classifyPodLogError(new KubeApiError({ code, statusMessage }))).toBe(expected);
    });
  }
});

describe('read selectors', () => {
  it('selects Job pods by the prefixed controller-uid label', () => {
    expect(jobPodSelector('0b1c')).toBe('batch.kubernetes.io/controller-uid=0b1c');
  });

  it('selects events by kind, name and uid', () => {
    const selector = involvedObjectSelector({ kind: 'Job', name: 'nightly', uid: 'u-1' });
    expect(selector).toBe(
      'involvedObject.kind=Job,involvedObject.name=nightly,involvedObject.uid=u-1',
    );
  });

  it('escapes selector metacharacters in values', () => {
    const selector = involvedObjectSelector({ kind: 'Job', name: 'a,b=c' });
    expect(selector).toBe('involvedObject.kind=Job,involvedObject.name=a\\,b\\=c');
  });
});
