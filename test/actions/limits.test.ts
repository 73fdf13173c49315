import type { V1CronJob, V1Job } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  applyLimits,
  cronJobPatch,
  currentLimits,
  diffLimits,
  limitFieldId,
  suggestLimits,
  validateLimits,
  type LimitFormInput,
} from '../../src/actions/limits.ts';
import type { LimitCeilings } from '../../src/config/policy.ts';
import type { LimitValues } from '../../src/actions/types.ts';

const CEILING: LimitCeilings = {
  memory: { quantity: '4Gi', value: 4 * 2 ** 30 },
  cpu: { quantity: '4', value: 4 },
  activeDeadlineSeconds: 7200,
  backoffLimit: 8,
};

function job(): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'report', namespace: 'reports' },
    spec: {
      backoffLimit: 2,
      activeDeadlineSeconds: 600,
      template: {
        spec: {
          restartPolicy: 'Never',
          initContainers: [
            { name: 'fetch', image: 'registry.example/fetch:1', resources: { limits: { memory: '128Mi' } } },
          ],
          containers: [
            {
              name: 'main',
              image: 'registry.example/report:1',
              env: [{ name: 'MODE', value: 'full' }],
              resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '512Mi' } },
            },
            { name: 'sidecar', image: 'registry.example/proxy:2', resources: { limits: { memory: '64Mi' } } },
          ],
        },
      },
    },
  };
}

function cronJob(): V1CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'report', namespace: 'reports', resourceVersion: '4711' },
    spec: { schedule: '0 2 * * *', jobTemplate: { spec: structuredClone(job().spec!) } },
  };
}

describe('currentLimits', () => {
  it('reads job fields and every container', () => {
    expect(currentLimits(job())).toEqual({
      backoffLimit: 2,
      activeDeadlineSeconds: 600,
      containers: [
        { name: 'main', requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '512Mi' } },
        { name: 'sidecar', requests: {}, limits: { memory: '64Mi' } },
        { name: 'fetch', init: true, requests: {}, limits: { memory: '128Mi' } },
      ],
    });
  });

  it('reads a CronJob jobTemplate', () => {
    expect(currentLimits(cronJob().spec.jobTemplate).backoffLimit).toBe(2);
  });

  it('turns numeric quantities into strings', () => {
    const raw = job();
    (raw.spec!.template.spec!.containers[1]!.resources!.limits as Record<string, unknown>)['cpu'] = 2;
    expect(currentLimits(raw).containers[1]!.limits.cpu).toBe('2');
  });
});

describe('suggestLimits', () => {
  it('raises an OOM-killed memory limit by half', () => {
    const { values, reasons } = suggestLimits(currentLimits(job()), { cause: 'oom-killed', container: 'main', ceiling: CEILING });
    expect(values.containers[0]!.limits.memory).toBe('768Mi');
    expect(reasons).toEqual(['container main: memory limit 512Mi → 768Mi (1.5 × the limit, rounded up)']);
  });

  it('raises the request of a Guaranteed container with it', () => {
    const { values } = suggestLimits(currentLimits(job()), { cause: 'oom-killed', container: 'main', ceiling: CEILING });
    expect(values.containers[0]!.requests.memory).toBe('768Mi');
  });

  it('keeps a request below the limit', () => {
    const before = currentLimits(job());
    before.containers[0]!.requests.memory = '256Mi';
    const { values } = suggestLimits(before, { cause: 'oom-killed', container: 'main', ceiling: CEILING });
    expect(values.containers[0]!.requests.memory).toBe('256Mi');
  });

  it('raises every regular container without a named one', () => {
    const { values } = suggestLimits(currentLimits(job()), { cause: 'oom-killed', ceiling: CEILING });
    expect(values.containers.map((c) => c.limits.memory)).toEqual(['768Mi', '96Mi', '128Mi']);
  });

  it('starts from the observed peak when higher', () => {
    const { values, reasons } = suggestLimits(currentLimits(job()), {
      cause: 'oom-killed',
      container: 'main',
      peakMemory: '1Gi',
      ceiling: CEILING,
    });
    expect(values.containers[0]!.limits.memory).toBe('1536Mi');
    expect(reasons[0]).toContain('1.5 × the observed peak');
  });

  it('rounds to a clean value', () => {
    const before = currentLimits(job());
    before.containers[0]!.limits.memory = '700M';
    const { values } = suggestLimits(before, { cause: 'oom-killed', container: 'main', ceiling: CEILING });
    expect(values.containers[0]!.limits.memory).toBe('1002Mi');
  });

  it('caps memory at the ceiling', () => {
    const before = currentLimits(job());
    before.containers[0]!.limits.memory = '3Gi';
    const { values, reasons } = suggestLimits(before, { cause: 'oom-killed', container: 'main', ceiling: CEILING });
    expect(values.containers[0]!.limits.memory).toBe('4Gi');
    expect(reasons[0]).toBe('container main: memory limit 3Gi → 4Gi (capped at the ceiling of 4Gi)');
  });

  it('leaves memory already at the ceiling', () => {
    const before = currentLimits(job());
    before.containers[0]!.limits.memory = '4Gi';
    const { values, reasons } = suggestLimits(before, { cause: 'oom-killed', container: 'main', ceiling: CEILING });
    expect(values.containers[0]!.limits.memory).toBe('4Gi');
    expect(reasons[0]).toMatch(/already at the ceiling of 4Gi; raise the ceiling in the policy file/);
  });

  it('says when no container has a memory limit', () => {
    const before: LimitValues = { containers: [{ name: 'main', requests: {}, limits: {} }] };
    expect(suggestLimits(before, { cause: 'oom-killed', ceiling: CEILING }).reasons).toEqual([
      'no container has a memory limit to raise',
    ]);
  });

  it('doubles the deadline', () => {
    const { values, reasons } = suggestLimits(currentLimits(job()), { cause: 'deadline-exceeded', ceiling: CEILING });
    expect(values.activeDeadlineSeconds).toBe(1200);
    expect(reasons).toEqual(['activeDeadlineSeconds 600 → 1200 (2 × the deadline the Job ran past)']);
  });

  it('caps the deadline at the ceiling', () => {
    const before = { ...currentLimits(job()), activeDeadlineSeconds: 5000 };
    const { values, reasons } = suggestLimits(before, { cause: 'deadline-exceeded', ceiling: CEILING });
    expect(values.activeDeadlineSeconds).toBe(7200);
    expect(reasons[0]).toContain('capped at the ceiling');
  });

  it('adds two retries to a flaky failure', () => {
    const { values } = suggestLimits(currentLimits(job()), { cause: 'dependency-unavailable', reason: 'BackoffLimitExceeded', ceiling: CEILING });
    expect(values.backoffLimit).toBe(4);
  });

  it('adds no retries before the backoff limit', () => {
    const { values, reasons } = suggestLimits(currentLimits(job()), { cause: 'app-error', reason: 'DeadlineExceeded', ceiling: CEILING });
    expect(values.backoffLimit).toBe(2);
    expect(reasons).toEqual(['no limit change is suggested for the cause app-error']);
  });

  it('caps retries at the ceiling', () => {
    const before = { ...currentLimits(job()), backoffLimit: 7 };
    expect(suggestLimits(before, { cause: 'app-error', ceiling: CEILING }).values.backoffLimit).toBe(8);
  });

  it('suggests nothing for an image pull failure', () => {
    const before = currentLimits(job());
    const { values } = suggestLimits(before, { cause: 'image-pull', ceiling: CEILING });
    expect(values).toEqual(before);
  });
});

function form(overrides: Partial<LimitFormInput['containers'][number]> = {}): LimitFormInput {
  return {
    backoffLimit: '3',
    activeDeadlineSeconds: '900',
    containers: [{ name: 'main', requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '768Mi' }, ...overrides }],
  };
}

describe('validateLimits', () => {
  it('returns the values of a valid form', () => {
    expect(validateLimits(form(), CEILING)).toEqual({
      values: {
        backoffLimit: 3,
        activeDeadlineSeconds: 900,
        containers: [{ name: 'main', requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '768Mi' } }],
      },
    });
  });

  it('treats empty fields as unset', () => {
    const result = validateLimits({ backoffLimit: ' ', containers: [{ name: 'main', requests: { memory: '' }, limits: {} }] }, CEILING);
    expect(result).toEqual({ values: { containers: [{ name: 'main', requests: {}, limits: {} }] } });
  });

  it.each([
    ['2GB', '"2GB" is not a Kubernetes quantity: use 2Gi or 2G'],
    ['abc', '"abc" is not a Kubernetes quantity: write a number with a suffix such as 512Mi, 2Gi, 500m or 1.5'],
    ['-1', '"-1" is negative: use a positive memory quantity such as 512Mi or 2Gi'],
    ['1.5', '"1.5" is not a whole number of bytes: use a memory quantity such as 512Mi or 2Gi'],
    ['8Gi', 'memory 8Gi is above the ceiling of 4Gi: use 4Gi or less, or raise the ceiling in the policy file'],
  ])('rejects memory limit %s', (text, message) => {
    const result = validateLimits(form({ limits: { memory: text } }), CEILING);
    expect(result).toEqual({ errors: { 'container.main.limits.memory': message } });
  });

  it('rejects cpu finer than a millicore', () => {
    const result = validateLimits(form({ requests: { cpu: '0.5m' } }), CEILING);
    expect(result).toEqual({ errors: { 'container.main.requests.cpu': '"0.5m" is finer than 1m: use whole millicores such as 250m or 2' } });
  });

  it('rejects a request above its limit', () => {
    const result = validateLimits(form({ requests: { memory: '1Gi' }, limits: { memory: '768Mi' } }), CEILING);
    expect(result).toEqual({
      errors: { 'container.main.requests.memory': 'requests.memory 1Gi is above limits.memory 768Mi: lower the request or raise the limit' },
    });
  });

  it.each([
    ['backoffLimit', '-1', '"-1" is not a valid backoffLimit: use a whole number of retries from 0'],
    ['backoffLimit', '2.5', '"2.5" is not a valid backoffLimit: use a whole number of retries from 0'],
    ['backoffLimit', '9', 'backoffLimit 9 is above the ceiling of 8: use 8 or less, or raise the ceiling in the policy file'],
    ['activeDeadlineSeconds', '0', '"0" is not a valid activeDeadlineSeconds: use a whole number of seconds from 1'],
    ['activeDeadlineSeconds', 'ten', '"ten" is not a valid activeDeadlineSeconds: use a whole number of seconds from 1'],
  ])('rejects %s %s', (field, text, message) => {
    const result = validateLimits({ ...form(), [field]: text }, CEILING);
    expect(result).toEqual({ errors: { [field]: message } });
  });

  it('reports every invalid field at once', () => {
    const result = validateLimits({ ...form({ limits: { memory: '2GB', cpu: 'x' } }), backoffLimit: '-3' }, CEILING);
    expect(Object.keys('errors' in result ? result.errors : {}).sort()).toEqual([
      'backoffLimit',
      'container.main.limits.cpu',
      'container.main.limits.memory',
    ]);
  });

  it('names init container fields apart', () => {
    expect(limitFieldId({ name: 'fetch', init: true }, 'limits', 'memory')).toBe('init.fetch.limits.memory');
  });
});

describe('applyLimits', () => {
  it('changes only the edited fields', () => {
    const before = job();
    const values = currentLimits(before);
    values.containers[0]!.limits.memory = '768Mi';
    values.backoffLimit = 4;
    const expected = job();
    expected.spec!.backoffLimit = 4;
    expected.spec!.template.spec!.containers[0]!.resources!.limits!['memory'] = '768Mi';
    expect(applyLimits(before, values)).toEqual(expected);
  });

  it('keeps the spelling of an equal quantity', () => {
    const values = currentLimits(job());
    values.containers[0]!.limits.memory = '0.5Gi';
    expect(applyLimits(job(), values)).toEqual(job());
  });

  it('removes a cleared value', () => {
    const values = currentLimits(job());
    delete values.activeDeadlineSeconds;
    delete values.containers[1]!.limits.memory;
    const applied = applyLimits(job(), values);
    expect(applied.spec!.activeDeadlineSeconds).toBeUndefined();
    expect(applied.spec!.template.spec!.containers[1]!.resources).toBeUndefined();
  });

  it('edits an init container', () => {
    const values = currentLimits(job());
    values.containers[2]!.limits.memory = '256Mi';
    const applied = applyLimits(job(), values);
    expect(applied.spec!.template.spec!.initContainers![0]!.resources).toEqual({ limits: { memory: '256Mi' } });
  });

  it('does not change its input', () => {
    const before = job();
    const values = currentLimits(before);
    values.backoffLimit = 5;
    applyLimits(before, values);
    expect(before).toEqual(job());
  });

  it('throws on an unknown container', () => {
    const values: LimitValues = { containers: [{ name: 'ghost', requests: {}, limits: {} }] };
    expect(() => applyLimits(job(), values)).toThrow('cannot apply limits: the Job has no container ghost');
  });
});

describe('diffLimits', () => {
  it('lists each change on its own line', () => {
    const before = currentLimits(job());
    const after = structuredClone(before);
    after.backoffLimit = 4;
    after.containers[0]!.limits.memory = '768Mi';
    delete after.containers[2]!.limits.memory;
    expect(diffLimits(before, after)).toEqual([
      'backoffLimit 2 → 4',
      'container main: limits.memory 512Mi → 768Mi',
      'init container fetch: limits.memory 128Mi → (unset)',
    ]);
  });

  it('ignores a respelling of the same value', () => {
    const before = currentLimits(job());
    const after = structuredClone(before);
    after.containers[0]!.limits.cpu = '1000m';
    expect(diffLimits(before, after)).toEqual([]);
  });
});

describe('cronJobPatch', () => {
  it('sends the whole containers list with one field changed', () => {
    const values = currentLimits(cronJob().spec.jobTemplate);
    values.containers[0]!.limits.memory = '768Mi';
    const containers = structuredClone(cronJob().spec.jobTemplate.spec!.template.spec!.containers);
    containers[0]!.resources!.limits!['memory'] = '768Mi';
    expect(cronJobPatch(cronJob(), values)).toEqual({
      metadata: { resourceVersion: '4711' },
      spec: { jobTemplate: { spec: { template: { spec: { containers } } } } },
    });
  });

  it('sets null for a removed deadline', () => {
    const values = currentLimits(cronJob().spec.jobTemplate);
    delete values.activeDeadlineSeconds;
    values.backoffLimit = 5;
    expect(cronJobPatch(cronJob(), values)).toEqual({
      metadata: { resourceVersion: '4711' },
      spec: { jobTemplate: { spec: { backoffLimit: 5, activeDeadlineSeconds: null } } },
    });
  });

  it('sends init containers only when they change', () => {
    const values = currentLimits(cronJob().spec.jobTemplate);
    values.containers[2]!.limits.memory = '256Mi';
    const patch = cronJobPatch(cronJob(), values) as { spec: { jobTemplate: { spec: { template: { spec: Record<string, unknown> } } } } };
    expect(Object.keys(patch.spec.jobTemplate.spec.template.spec)).toEqual(['initContainers']);
  });

  it('returns an empty patch when nothing changes', () => {
    expect(cronJobPatch(cronJob(), currentLimits(cronJob().spec.jobTemplate))).toEqual({});
  });
});
