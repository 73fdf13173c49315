import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { hasRedactedSpec, redactJob, redactPod, restoreRedactedJob } from '../../src/diagnose/redact-objects.ts';

const PASSWORD = 'Qm7v-hunter2-x81';

function failedPod(): V1Pod {
  return {
    metadata: { name: 'ledger-export-x2k8q', namespace: 'finance' },
    spec: {
      containers: [
        {
          name: 'main',
          image: 'registry.example.com/ledger:2.4.1',
          args: ['--dsn', `postgres://ledger:${PASSWORD}@db:5432/ledger`, '--batch=500'],
          env: [
            { name: 'DB_PASSWORD', value: PASSWORD },
            { name: 'LOG_LEVEL', value: 'debug' },
            { name: 'LEDGER_PHRASE', valueFrom: { secretKeyRef: { name: 'ledger', key: 'phrase' } } },
          ],
        },
      ],
    },
    status: {
      phase: 'Failed',
      message: `evicted while connected to redis://:${PASSWORD}@cache:6379`,
      containerStatuses: [
        {
          name: 'main',
          image: 'registry.example.com/ledger:2.4.1',
          imageID: '',
          ready: false,
          restartCount: 1,
          state: { terminated: { exitCode: 1, reason: 'Error', message: `dial postgres://ledger:${PASSWORD}@db:5432/ledger: refused` } },
          lastState: { terminated: { exitCode: 1, message: `LEDGER_PHRASE=${PASSWORD}-old` } },
        },
      ],
    },
  };
}

describe('redactPod', () => {
  it('masks secrets in status messages and the spec', () => {
    const text = JSON.stringify(redactPod(failedPod()));
    expect(text).not.toContain(PASSWORD);
    expect(text).toContain('postgres://ledger:****@db:5432/ledger: refused');
    expect(text).toContain('LEDGER_PHRASE=****');
  });

  it('keeps ordinary env values, args and fields', () => {
    const pod = redactPod(failedPod());
    const container = pod.spec!.containers[0]!;
    expect(container.env?.find((env) => env.name === 'LOG_LEVEL')?.value).toBe('debug');
    expect(container.env?.find((env) => env.name === 'DB_PASSWORD')?.value).toBe('****');
    expect(container.args).toEqual(['--dsn', 'postgres://ledger:****@db:5432/ledger', '--batch=500']);
    expect(pod.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(1);
  });

  it('leaves the pod it was given unchanged', () => {
    const pod = failedPod();
    redactPod(pod);
    expect(pod).toEqual(failedPod());
  });
});

function ledgerJob(): V1Job {
  const pod = failedPod();
  return {
    metadata: { name: 'ledger-export', namespace: 'finance', uid: 'a1b2' },
    spec: { template: { spec: pod.spec! } },
    status: { conditions: [{ type: 'Failed', status: 'True', message: `token=${PASSWORD}` }] },
  };
}

describe('redactJob and restoreRedactedJob', () => {
  it('masks the template and condition messages', () => {
    const redacted = redactJob(ledgerJob());
    expect(JSON.stringify(redacted)).not.toContain(PASSWORD);
    expect(hasRedactedSpec(redacted)).toBe(true);
    expect(hasRedactedSpec(ledgerJob())).toBe(false);
  });

  it('restores masked values from the source Job', () => {
    const restored = restoreRedactedJob(redactJob(ledgerJob()), ledgerJob());
    expect(restored?.spec?.template.spec).toEqual(ledgerJob().spec?.template.spec);
  });

  it('returns undefined when the source lacks a masked value', () => {
    const source = ledgerJob();
    source.spec!.template.spec!.containers[0]!.env = [];
    expect(restoreRedactedJob(redactJob(ledgerJob()), source)).toBeUndefined();
    const shorter = ledgerJob();
    shorter.spec!.template.spec!.containers[0]!.args = ['--dsn'];
    expect(restoreRedactedJob(redactJob(ledgerJob()), shorter)).toBeUndefined();
  });
});
