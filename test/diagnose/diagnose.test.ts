import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose/diagnose.ts';
import type { Diagnosis } from '../../src/diagnose/types.ts';
import {
  at,
  BACKOFF,
  DEADLINE,
  buildContainer,
  buildEvent,
  buildJob,
  buildLog,
  buildPod,
  buildSnapshot,
  terminated,
} from './builders.ts';

function allText(d: Diagnosis): string {
  return [d.summary, d.fix, ...d.evidence.map((e) => e.text)].join('\n');
}

const failedJob = () => buildJob({ failed: BACKOFF });

describe('diagnose: application failures', () => {
  it('names app-error with the decisive log line for exit code 1', () => {
    const d = diagnose(
      buildSnapshot({
        job: failedJob(),
        pods: [buildPod()],
        logs: [buildLog('starting\nTraceback (most recent call last):\n  File "/app/run.py", line 3, in <module>\n    main()\nValueError: bad input row 17\n')],
      }),
    );
    expect(d.cause).toBe('app-error');
    expect(d.reason).toBe('BackoffLimitExceeded');
    expect(d.summary).toContain('ValueError: bad input row 17');
    expect(d.evidence.some((e) => e.source === 'log' && e.text.includes('ValueError'))).toBe(true);
    expect(d.confidence).toBe('high');
  });

  it('names app-crash for SIGSEGV exit code 139 without logs', () => {
    const pod = buildPod({ containers: [buildContainer({ status: { state: terminated(139, 'Error') } })] });
    const d = diagnose(buildSnapshot({ job: failedJob(), pods: [pod] }));
    expect(d.cause).toBe('app-crash');
    expect(d.summary).toContain('SIGSEGV');
    expect(allText(d)).toContain('exit code 139');
  });

  it('ignores an error the program logged and then recovered from', () => {
    const log = [
      'connecting to db:5432',
      'ERROR: dial tcp 10.0.0.4:5432: connect: connection refused, retrying in 2s',
      'connected to db:5432',
      'processing batch 1',
      'Traceback (most recent call last):',
      '  File "/app/job.py", line 40, in run',
      'KeyError: \'customer_id\'',
    ].join('\n');
    const d = diagnose(buildSnapshot({ job: failedJob(), pods: [buildPod()], logs: [buildLog(log)] }));
    expect(d.cause).toBe('app-error');
    expect(allText(d)).toContain("KeyError: 'customer_id'");
    expect(allText(d)).not.toContain('connection refused');
  });

  it('names dependency-unavailable when the final error is a refused connection', () => {
    const log = 'Error: connect ECONNREFUSED 10.96.0.12:6379\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)\n';
    const d = diagnose(buildSnapshot({ job: failedJob(), pods: [buildPod()], logs: [buildLog(log)] }));
    expect(d.cause).toBe('dependency-unavailable');
    expect(d.confidence).toBe('medium');
  });

  it('names permission-denied for an RBAC refusal in the log', () => {
    const log = 'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:batch:runner" cannot list resource "pods" in API group "" in the namespace "batch"\n';
    const d = diagnose(buildSnapshot({ job: failedJob(), pods: [buildPod()], logs: [buildLog(log)] }));
    expect(d.cause).toBe('permission-denied');
    expect(d.fix).toContain('kubectl auth can-i list pods --as=system:serviceaccount:batch:runner');
  });

  it('names config-missing for a log that reports an unset variable', () => {
    const log = 'fatal: environment variable DATABASE_URL is not set\n';
    const d = diagnose(buildSnapshot({ job: failedJob(), pods: [buildPod()], logs: [buildLog(log)] }));
    expect(d.cause).toBe('config-missing');
  });
});

describe('diagnose: memory and signals', () => {
  it('names oom-killed with the container and its memory limit', () => {
    const pod = buildPod({ containers: [buildContainer({ memoryLimit: '256Mi', status: { state: terminated(137, 'OOMKilled') } })] });
    const d = diagnose(buildSnapshot({ job: failedJob(), pods: [pod] }));
    expect(d.cause).toBe('oom-killed');
    expect(d.confidence).toBe('high');
    expect(d.summary).toContain('256Mi');
    expect(d.fix).toContain('256Mi');
    expect(d.container).toBe('main');
  });

  it('puts an OOM kill in a sidecar before the connection refused it caused', () => {
    const db = buildContainer({ name: 'db', memoryLimit: '512Mi', status: { state: terminated(137, 'OOMKilled', 40) } });
    const app = buildContainer({ name: 'app', status: { state: terminated(1, 'Error', 45) } });
    const d = diagnose(
      buildSnapshot({
        job: failedJob(),
        pods: [buildPod({ containers: [app, db] })],
        logs: [buildLog('psycopg2.OperationalError: could not connect to server: Connection refused\n', { container: 'app' })],
      }),
    );
    expect(d.cause).toBe('oom-killed');
    expect(d.container).toBe('db');
    expect(d.secondary).toContain('dependency-unavailable');
  });

  it('names deadline-exceeded for exit code 137 without OOMKilled at the deadline', () => {
    const pod = buildPod({ containers: [buildContainer({ memoryLimit: '1Gi', status: { state: terminated(137, 'Error', 631) } })] });
    const d = diagnose(buildSnapshot({ job: buildJob({ activeDeadlineSeconds: 600, failed: DEADLINE }), pods: [pod], logs: [buildLog('step 3 of 9\n')] }));
    expect(d.cause).toBe('deadline-exceeded');
    expect(d.reason).toBe('DeadlineExceeded');
    expect(allText(d)).toContain('spec.activeDeadlineSeconds: 600');
    expect(allText(d)).toContain('exit code 137');
  });

  it('names node-disruption for exit code 137 on preemption', () => {
    const pod = buildPod({
      containers: [buildContainer({ memoryLimit: '1Gi', status: { state: terminated(137, 'Error', 65) } })],
      conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message: 'default-scheduler: preempting to accommodate a higher priority pod' }],
    });
    const d = diagnose(buildSnapshot({ job: failedJob(), pods: [pod], events: [buildEvent('Preempted', 'Preempted by pod 1234 on node n1', { type: 'Normal' })] }));
    expect(d.cause).toBe('node-disruption');
    expect(allText(d)).toContain('PreemptionByScheduler');
  });

  it('names oom-killed with low confidence for exit code 137 alone', () => {
    const pod = buildPod({ containers: [buildContainer({ memoryLimit: '1Gi', status: { state: terminated(137, 'Error', 50) } })] });
    const d = diagnose(buildSnapshot({ job: failedJob(), pods: [pod] }));
    expect(d.cause).toBe('oom-killed');
    expect(d.confidence).toBe('low');
  });

  it('reads past the job controller\'s SIGTERM of an OnFailure pod in the second it failed', () => {
    const job = buildJob({ failed: { reason: 'BackoffLimitExceeded', atSeconds: 60 }, restartPolicy: 'OnFailure' });
    const status = { state: terminated(143, 'Error', 60), lastState: terminated(1, 'Error', 59), restartCount: 4 };
    const pod = buildPod({ phase: 'Failed', containers: [buildContainer({ status })] });
    pod.spec!.restartPolicy = 'OnFailure';
    const d = diagnose(buildSnapshot({ job, pods: [pod], logs: [{ ...buildLog('error: feed signature invalid\n'), previous: true }] }));
    expect(d.cause, allText(d)).not.toBe('node-disruption');
    expect(allText(d)).toContain('exit code 1');
  });

  it('names node-disruption for SIGTERM exit code 143 with no deadline', () => {
    const pod = buildPod({ containers: [buildContainer({ status: { state: terminated(143, 'Error', 50) } })] });
    const d = diagnose(buildSnapshot({ job: failedJob(), pods: [pod] }));
    expect(d.cause).toBe('node-disruption');
  });
});

describe('diagnose: what the kubelet and the control plane did', () => {
  it('names evicted for a kubelet eviction that also carries DisruptionTarget', () => {
    const message = 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 80Mi. Container main was using 3Gi, request is 1Gi, has larger consumption of memory.';
    const pod = buildPod({
      reason: 'Evicted',
      message,
      containers: [buildContainer({ status: { state: terminated(137, 'ContainerStatusUnknown') } })],
      conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message }],
    });
    const d = diagnose(buildSnapshot({ job: failedJob(), pods: [pod] }));
    expect(d.cause).toBe('evicted');
    expect(d.fix).toContain('Container main used 3Gi of memory with a request of 1Gi');
  });

  it('names node-disruption for an eviction through the Eviction API', () => {
    const pod = buildPod({
      containers: [buildContainer({ status: { state: terminated(143, 'Error') } })],
      conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' }],
    });
    expect(diagnose(buildSnapshot({ job: failedJob(), pods: [pod] })).cause).toBe('node-disruption');
  });

  it('names what stopped pods that never scheduled before the deadline', () => {
    const message = '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';
    const pod = buildPod({ phase: 'Failed', containers: [], conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }] });
    const d = diagnose(buildSnapshot({ job: buildJob({ activeDeadlineSeconds: 600, failed: DEADLINE }), pods: [pod], events: [buildEvent('FailedScheduling', message, { count: 20 })] }));
    expect(d.cause).toBe('unschedulable');
    expect(d.secondary).toContain('deadline-exceeded');
    expect(d.fix).toContain('memory');
  });

  it('names quota-exceeded when the job controller cannot create pods', () => {
    const event = buildEvent('FailedCreate', 'Error creating: pods "nightly-x1" is forbidden: exceeded quota: small, requested: memory=2Gi, used: memory=7Gi, limited: memory=8Gi', { kind: 'Job', count: 4 });
    const d = diagnose(buildSnapshot({ job: buildJob(), events: [event] }));
    expect(d.cause).toBe('quota-exceeded');
    expect(d.reason).toBeNull();
    expect(d.summary).toContain('4 attempts');
  });

  it('names admission-denied when a webhook denies the pod', () => {
    const event = buildEvent('FailedCreate', 'Error creating: admission webhook "validate.policy.test" denied the request: image tag latest is not allowed', { kind: 'Job' });
    expect(diagnose(buildSnapshot({ job: buildJob(), events: [event] })).cause).toBe('admission-denied');
  });

  it('names volume-mount from FailedMount events', () => {
    const pod = buildPod({ phase: 'Pending', containers: [buildContainer({ status: { state: { waiting: { reason: 'ContainerCreating' } } } })] });
    const event = buildEvent('FailedMount', 'MountVolume.MountDevice failed for volume "pvc-1" : rpc error: code = Internal desc = mount failed: exit status 32');
    expect(diagnose(buildSnapshot({ pods: [pod], events: [event] })).cause).toBe('volume-mount');
  });

  it('names config-missing for a Secret volume that does not exist', () => {
    const pod = buildPod({ phase: 'Pending', containers: [buildContainer({ status: { state: { waiting: { reason: 'ContainerCreating' } } } })] });
    const event = buildEvent('FailedMount', 'MountVolume.SetUp failed for volume "creds" : secret "db-creds" not found');
    expect(diagnose(buildSnapshot({ pods: [pod], events: [event] })).cause).toBe('config-missing');
  });
});

describe('diagnose: image, command and spec problems', () => {
  it('names image-pull for a tag that does not exist', () => {
    const pod = buildPod({ phase: 'Pending', containers: [buildContainer({ status: { state: { waiting: { reason: 'ErrImagePull', message: 'rpc error: manifest unknown' } } } })] });
    const event = buildEvent('Failed', 'Failed to pull image "registry.test/app:1": rpc error: code = NotFound desc = failed to pull and unpack image: not found');
    const d = diagnose(buildSnapshot({ pods: [pod], events: [event] }));
    expect(d.cause).toBe('image-pull');
    expect(d.summary).toContain('does not exist');
  });

  it('names command-invalid for exit code 127', () => {
    const pod = buildPod({ containers: [buildContainer({ command: ['run-report'], status: { state: terminated(127, 'Error') } })] });
    const d = diagnose(buildSnapshot({ job: failedJob(), pods: [pod], logs: [buildLog('/bin/sh: 1: run-report: not found\n')] }));
    expect(d.cause).toBe('command-invalid');
    expect(allText(d)).toContain('command: ["run-report"]');
  });

  it('names image-invalid for an exec format error with the node architecture', () => {
    const pod = buildPod({ nodeName: 'n1', containers: [buildContainer({ status: { state: terminated(1, 'Error') } })] });
    const node = { metadata: { name: 'n1' }, status: { nodeInfo: { architecture: 'arm64' } } } as never;
    const d = diagnose(buildSnapshot({ job: failedJob(), pods: [pod], nodes: [node], logs: [buildLog('exec /app/server: exec format error\n')] }));
    expect(d.cause).toBe('image-invalid');
    expect(allText(d)).toContain('nodeInfo.architecture: arm64');
  });

  it('names config-missing for CreateContainerConfigError', () => {
    const pod = buildPod({ phase: 'Pending', containers: [buildContainer({ status: { state: { waiting: { reason: 'CreateContainerConfigError', message: 'configmap "settings" not found' } } } })] });
    const d = diagnose(buildSnapshot({ pods: [pod] }));
    expect(d.cause).toBe('config-missing');
    expect(d.reason).toBeNull();
  });

  it('reads a failed init container before the app containers', () => {
    const init = buildContainer({ name: 'wait-db', status: { state: terminated(1, 'Error') } });
    const app = buildContainer({ name: 'app', status: { state: { waiting: { reason: 'PodInitializing' } } } });
    const d = diagnose(
      buildSnapshot({
        job: failedJob(),
        pods: [buildPod({ initContainers: [init], containers: [app] })],
        logs: [buildLog('psql: error: could not translate host name "db" to address: Name or service not known\n', { container: 'wait-db' })],
      }),
    );
    expect(d.cause).toBe('dependency-unavailable');
    expect(d.container).toBe('wait-db');
    expect(d.summary).toContain('init container wait-db');
    expect(allText(d)).toContain('PodInitializing');
  });

  it('names command-invalid for an init container the runtime could not start', () => {
    const init = buildContainer({ name: 'setup', status: { state: terminated(128, 'StartError', 3, 'exec: "setup.sh": executable file not found in $PATH') } });
    const app = buildContainer({ name: 'app', status: { state: { waiting: { reason: 'PodInitializing' } } } });
    const d = diagnose(buildSnapshot({ job: failedJob(), pods: [buildPod({ initContainers: [init], containers: [app] })] }));
    expect(d.cause).toBe('command-invalid');
  });
});

describe('diagnose: limits, policy and missing evidence', () => {
  it('names pod-failure-policy with the rule for a FailJob match', () => {
    const message = 'Container main for pod batch/nightly-abcde failed with exit code 3 matching FailJob rule at index 0';
    const job = buildJob({ failed: { reason: 'PodFailurePolicy', message, atSeconds: 70 }, podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [3] } }] } });
    const pod = buildPod({ containers: [buildContainer({ status: { state: terminated(3, 'Error') } })] });
    const d = diagnose(buildSnapshot({ job, pods: [pod], logs: [buildLog('fatal: input schema v2 not supported\n')] }));
    expect(d.cause).toBe('pod-failure-policy');
    expect(allText(d)).toContain('spec.podFailurePolicy.rules[0]: FailJob on exit codes In [3]');
    expect(d.secondary).toContain('app-error');
  });

  it('names the pods\' own cause when index limits were reached without a FailIndex rule', () => {
    const job = buildJob({ failed: { reason: 'MaxFailedIndexesExceeded', atSeconds: 70 }, maxFailedIndexes: 0, podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] } });
    const pod = buildPod({ containers: [buildContainer({ memoryLimit: '64Mi', status: { state: terminated(137, 'OOMKilled', 50) } })] });
    expect(diagnose(buildSnapshot({ job, pods: [pod] })).cause).toBe('oom-killed');
  });

  it('returns unknown and says what is missing when no pod is left', () => {
    const job = buildJob({ failed: BACKOFF, restartPolicy: 'OnFailure' });
    const d = diagnose(buildSnapshot({ job, events: [buildEvent('SuccessfulDelete', 'Deleted pod: nightly-abcde', { kind: 'Job', type: 'Normal' })] }));
    expect(d.cause).toBe('unknown');
    expect(d.confidence).toBe('low');
    expect(d.summary).toContain('looked at 0 pods');
    expect(allText(d)).toContain('restartPolicy: OnFailure');
    expect(allText(d)).toContain('Deleted pod: nightly-abcde');
  });

  it('masks Secret-filled variables and passwords in quoted log lines', () => {
    const env = [{ name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }];
    const pod = buildPod({ containers: [buildContainer({ env, status: { state: terminated(1, 'Error') } })] });
    const log = 'ERROR: request failed with API_TOKEN=abc123secret to postgres://app:hunter2@db:5432/app\n';
    const d = diagnose(buildSnapshot({ job: failedJob(), pods: [pod], logs: [buildLog(log)] }));
    expect(allText(d)).not.toContain('abc123secret');
    expect(allText(d)).not.toContain('hunter2');
    expect(allText(d)).toContain('postgres://app:****@db:5432/app');
  });
});

describe('diagnose: a Job that has not failed', () => {
  it('says a running Job has not failed instead of calling it stuck', () => {
    const job = buildJob();
    job.status = { active: 1, failed: 0 };
    const pod = buildPod({ phase: 'Running', containers: [buildContainer({ status: { state: { running: { startedAt: at(5) as unknown as Date } } } })] });
    const d = diagnose(buildSnapshot({ job, pods: [pod] }));
    expect(d.summary).toContain('has not failed');
    expect(d.summary).not.toContain('stuck');
  });
});
