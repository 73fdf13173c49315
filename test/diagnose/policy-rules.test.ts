import { describe, expect, it } from 'vitest';
import type { V1PodCondition } from '@kubernetes/client-node';
import { buildContext } from '../../src/diagnose/context.ts';
import { diagnose } from '../../src/diagnose/diagnose.ts';
import { countedRuleQuote, ignoredPods } from '../../src/diagnose/policy-rules.ts';
import { at, buildContainer, buildJob, buildPod, buildSnapshot, terminated } from './builders.ts';

const IGNORE_DISRUPTION = { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] };
const FAILED_INDEXES = { reason: 'FailedIndexes', message: 'Job has failed indexes', atSeconds: 300 };

function preempted(name: string, createdSeconds: number) {
  const condition: V1PodCondition = {
    type: 'DisruptionTarget',
    status: 'True',
    reason: 'PreemptionByScheduler',
    message: 'default-scheduler: preempting to accommodate a higher priority pod',
    lastTransitionTime: at(createdSeconds + 40) as unknown as Date,
  };
  const container = buildContainer({ status: { state: terminated(143, 'Error', createdSeconds + 41) } });
  return buildPod({ name, createdSeconds, containers: [container], conditions: [condition] });
}

function exited(name: string, exitCode: number, createdSeconds: number) {
  const container = buildContainer({ status: { state: terminated(exitCode, 'Error', createdSeconds + 60) } });
  return buildPod({ name, createdSeconds, containers: [container] });
}

describe('ignoredPods', () => {
  it('lists failed pods whose first matching rule is Ignore', () => {
    const job = buildJob({ failed: FAILED_INDEXES, podFailurePolicy: IGNORE_DISRUPTION });
    const snapshot = buildSnapshot({ job, pods: [preempted('run-0-aaaaa', 1), exited('run-1-bbbbb', 1, 1)] });
    expect([...ignoredPods(buildContext(snapshot))]).toEqual(['run-0-aaaaa']);
  });

  it('lists nothing when an earlier rule counts the disruption', () => {
    const rules = [{ action: 'Count', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }, ...IGNORE_DISRUPTION.rules];
    const job = buildJob({ failed: FAILED_INDEXES, podFailurePolicy: { rules } });
    const snapshot = buildSnapshot({ job, pods: [preempted('run-0-aaaaa', 1)] });
    expect(ignoredPods(buildContext(snapshot)).size).toBe(0);
  });

  it('lists nothing without a podFailurePolicy', () => {
    const job = buildJob({ failed: FAILED_INDEXES });
    const snapshot = buildSnapshot({ job, pods: [preempted('run-0-aaaaa', 1)] });
    expect(ignoredPods(buildContext(snapshot)).size).toBe(0);
  });
});

describe('diagnose with an Ignore rule', () => {
  it('names the counted failure over more ignored disruptions', () => {
    const job = buildJob({ failed: FAILED_INDEXES, podFailurePolicy: IGNORE_DISRUPTION });
    const pods = [preempted('run-0-aaaaa', 1), preempted('run-1-bbbbb', 1), exited('run-3-ccccc', 1, 1)];
    const d = diagnose(buildSnapshot({ job, pods }));
    expect(d.cause).toBe('app-error');
    expect(d.pod).toBe('run-3-ccccc');
    expect(d.secondary).toContain('node-disruption');
  });

  it('counts the same disruptions when no rule ignores them', () => {
    const job = buildJob({ failed: FAILED_INDEXES });
    const pods = [preempted('run-0-aaaaa', 1), preempted('run-1-bbbbb', 1), exited('run-3-ccccc', 1, 1)];
    expect(diagnose(buildSnapshot({ job, pods })).cause).toBe('node-disruption');
  });

  it('keeps ignored pods when they are all there is', () => {
    const failed = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline', atSeconds: 600 };
    const job = buildJob({ failed, podFailurePolicy: IGNORE_DISRUPTION, activeDeadlineSeconds: 600 });
    const d = diagnose(buildSnapshot({ job, pods: [preempted('run-0-aaaaa', 1)] }));
    expect(d.cause).toBe('node-disruption');
  });
});

describe('countedRuleQuote', () => {
  const COUNT_DISRUPTION = { rules: [{ action: 'Count', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] };
  const BACKOFF = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', atSeconds: 300 };

  it('quotes the Count rule that let a disruption spend the backoff limit', () => {
    const job = buildJob({ failed: BACKOFF, podFailurePolicy: COUNT_DISRUPTION });
    const ctx = buildContext(buildSnapshot({ job, pods: [preempted('run-aaaaa', 1)] }));
    expect(countedRuleQuote(ctx, 'run-aaaaa')?.text).toBe('spec.podFailurePolicy.rules[0]: Count on pod conditions DisruptionTarget=True');
  });

  it('quotes nothing when the pod matched no rule', () => {
    const job = buildJob({ failed: BACKOFF, podFailurePolicy: COUNT_DISRUPTION });
    const ctx = buildContext(buildSnapshot({ job, pods: [exited('run-aaaaa', 1, 1)] }));
    expect(countedRuleQuote(ctx, 'run-aaaaa')).toBeUndefined();
  });

  it('quotes nothing when a FailJob rule ended the Job', () => {
    const message = 'Container main for pod batch/run-aaaaa failed with exit code 143 matching FailJob rule at index 1';
    const rules = [...COUNT_DISRUPTION.rules, { action: 'FailJob', onExitCodes: { operator: 'In', values: [143] } }];
    const job = buildJob({ failed: { reason: 'PodFailurePolicy', message, atSeconds: 300 }, podFailurePolicy: { rules } });
    const ctx = buildContext(buildSnapshot({ job, pods: [preempted('run-aaaaa', 1)] }));
    expect(countedRuleQuote(ctx, 'run-aaaaa')).toBeUndefined();
  });

  it('shows the quote in the diagnosis evidence', () => {
    const job = buildJob({ failed: BACKOFF, podFailurePolicy: COUNT_DISRUPTION });
    const d = diagnose(buildSnapshot({ job, pods: [preempted('run-aaaaa', 1)] }));
    expect(d.cause).toBe('node-disruption');
    expect(d.evidence.map((e) => e.text)).toContain('spec.podFailurePolicy.rules[0]: Count on pod conditions DisruptionTarget=True');
  });
});
