import { describe, expect, it } from 'vitest';
import { checkFieldSelector, matchesFields, parseFieldSelector } from '../../src/sim/field-selector.ts';
import { matchesLabels, parseLabelSelector } from '../../src/sim/label-selector.ts';
import { resourceTypes, type ResourceType } from '../../src/sim/resources.ts';
import { StatusError } from '../../src/sim/status.ts';
import { event, job, pod } from './builders.ts';

function typeNamed(plural: string): ResourceType {
  const type = resourceTypes.find((t) => t.plural === plural);
  if (type === undefined) throw new Error(`no resource type ${plural}`);
  return type;
}

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', canary: '' };
  const cases: [string, boolean][] = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=db', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['tier in (front, back)', true],
    ['tier in (back)', false],
    ['tier notin (back)', true],
    ['missing notin (back)', true],
    ['canary', true],
    ['!canary', false],
    ['!missing', true],
    ['app=web,tier in (front,x),!missing', true],
    ['app=web,tier=back', false],
  ];
  it.each(cases)('selector "%s" matches: %s', (text, expected) => {
    expect(matchesLabels(parseLabelSelector(text), labels)).toBe(expected);
  });

  it('rejects an unparsable selector with 400', () => {
    expect(() => parseLabelSelector('app in x')).toThrow(StatusError);
    const error = (() => {
      try {
        parseLabelSelector('a=b=c');
        return undefined;
      } catch (caught) {
        return caught as StatusError;
      }
    })();
    expect(error?.status.code).toBe(400);
  });
});

describe('field selectors', () => {
  it('matches metadata fields on any resource', () => {
    const selector = parseFieldSelector('metadata.name=a,metadata.namespace!=kube-system');
    expect(matchesFields(typeNamed('jobs'), selector, job('a'))).toBe(true);
    expect(matchesFields(typeNamed('jobs'), selector, job('b'))).toBe(false);
  });

  it('matches pod phase and node name', () => {
    const failed = pod('p', { phase: 'Failed', nodeName: 'n1' });
    const pods = typeNamed('pods');
    expect(matchesFields(pods, parseFieldSelector('status.phase=Failed'), failed)).toBe(true);
    expect(matchesFields(pods, parseFieldSelector('spec.nodeName=n2'), failed)).toBe(false);
  });

  it('matches event involvedObject, reason, type and source', () => {
    const target = { ...job('a'), metadata: { name: 'a', namespace: 'ns', uid: 'u-1' } };
    const warning = event('e', target, 'BackoffLimitExceeded', 'Warning');
    const selector = parseFieldSelector(
      'involvedObject.kind=Job,involvedObject.name=a,involvedObject.namespace=ns,' +
        'involvedObject.uid=u-1,reason=BackoffLimitExceeded,type=Warning,source=kubelet',
    );
    expect(matchesFields(typeNamed('events'), selector, warning)).toBe(true);
  });

  it('rejects fields the real server does not support', () => {
    const selector = parseFieldSelector('status.phase=Failed');
    expect(() => checkFieldSelector(typeNamed('pods'), selector)).not.toThrow();
    expect(() => checkFieldSelector(typeNamed('jobs'), selector)).toThrow(
      'field label "status.phase" not supported for Job',
    );
  });
});
