import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkScenario, formatProblem } from '../../src/diagnose/scenario-check.ts';
import { readNoteSources } from '../../src/diagnose/scenario-folder.ts';
import type { ScenarioProblem } from '../../src/diagnose/scenario-check.ts';
import type { CoreV1Event, V1Job, V1Pod } from '@kubernetes/client-node';
import { SCENARIO_DIR, scenarioFiles } from './fixtures.ts';

/** A scenario file as parsed JSON, before any check; tests change it freely. */
interface Data {
  id: string;
  source?: unknown;
  objects: Record<string, unknown>[];
  logs: Record<string, unknown>[];
  expected: { reason: unknown; cause: unknown; evidence: unknown[] };
  [field: string]: unknown;
}

const noteSources = readNoteSources(readFileSync(join(SCENARIO_DIR, 'NOTES.md'), 'utf8'));
const SOURCE = { url: 'https://github.com/example/project/issues/1' };

function fixture(id: string): Data {
  const data = JSON.parse(readFileSync(join(SCENARIO_DIR, `${id}.json`), 'utf8')) as Data;
  return { ...data, source: SOURCE };
}

function problemsOf(data: Data, id = data.id): ScenarioProblem[] {
  return checkScenario(data, `scenarios/${id}.json`);
}

function first(data: Data, kind: string): Record<string, unknown> {
  const object = data.objects.find((o) => o.kind === kind);
  if (object === undefined) throw new Error(`no ${kind} in ${data.id}`);
  return object;
}

const job = (d: Data) => first(d, 'Job') as V1Job;
const pod = (d: Data) => first(d, 'Pod') as V1Pod;
const event = (d: Data, index: number) => d.objects[index] as unknown as CoreV1Event;

/** Sets a field to any JSON value, including ones its Kubernetes type does not allow. */
function set(object: object | undefined, field: string, value: unknown): void {
  if (object === undefined) throw new Error(`no object to set ${field} on`);
  if (value === undefined) delete (object as Record<string, unknown>)[field];
  else (object as Record<string, unknown>)[field] = value;
}

/** Empties the fields that an event recorded through the events.k8s.io API leaves unset. */
function toEventsApiShape(object: CoreV1Event): void {
  Object.assign(object, { firstTimestamp: null, lastTimestamp: null, source: {}, reportingComponent: 'default-scheduler' });
  set(object, 'eventTime', '2026-05-04T13:00:01.123456Z');
  set(object, 'count', undefined);
}

const OOM = 'oom-cronjob-pod-lister-128mi';
const SECRET = 'render-job-secret-not-found';

describe('checkScenario', () => {
  it('accepts every bundled scenario', () => {
    for (const file of scenarioFiles()) {
      const data: unknown = JSON.parse(readFileSync(file, 'utf8'));
      expect(checkScenario(data, file, { noteSources }).map(formatProblem), file).toEqual([]);
    }
  });

  it('accepts a base scenario with its own source.url', () => {
    expect(problemsOf(fixture(OOM))).toEqual([]);
    expect(problemsOf(fixture(SECRET))).toEqual([]);
  });

  const cases: { name: string; id?: string; change: (d: Data) => void; path: string; problem: RegExp }[] = [
    { name: 'id unlike the file name', change: (d) => set(d, 'id', 'other-id'), path: 'id', problem: /differs from the file name/ },
    { name: 'id not a slug', change: (d) => set(d, 'id', 'Has Spaces'), path: 'id', problem: /slug/ },
    { name: 'empty title', change: (d) => set(d, 'title', ' '), path: 'title', problem: /missing or empty/ },
    { name: 'missing source', change: (d) => set(d, 'source', undefined), path: 'source.url', problem: /is missing/ },
    { name: 'ftp source', change: (d) => set(d, 'source', { url: 'ftp://example.com/x' }), path: 'source.url', problem: /http\(s\)/ },
    { name: 'unknown cause id', change: (d) => set(d.expected, 'cause', 'slow'), path: 'expected.cause', problem: /cause id of docs\/causes\.md/ },
    { name: 'unknown reason', change: (d) => set(d.expected, 'reason', 'Failed'), path: 'expected.reason', problem: /not a Job Failed reason/ },
    { name: 'reason unlike the Job', change: (d) => set(d.expected, 'reason', 'DeadlineExceeded'), path: 'expected.reason', problem: /differs from the reason BackoffLimitExceeded/ },
    { name: 'reason on an active Job', id: SECRET, change: (d) => set(d.expected, 'reason', 'BackoffLimitExceeded'), path: 'expected.reason', problem: /no Failed condition/ },
    { name: 'empty evidence', change: (d) => set(d.expected, 'evidence', []), path: 'expected.evidence', problem: /missing or empty/ },
    { name: 'blank evidence item', change: (d) => void d.expected.evidence.push(''), path: 'expected.evidence[3]', problem: /non-empty string/ },
    { name: 'no objects', change: (d) => set(d, 'objects', []), path: 'objects', problem: /missing or empty/ },
    { name: 'missing uid', change: (d) => set(job(d).metadata, 'uid', undefined), path: 'objects[1].metadata.uid', problem: /missing/ },
    { name: 'repeated uid', change: (d) => set(pod(d).metadata, 'uid', job(d).metadata?.uid), path: 'objects[2].metadata.uid', problem: /repeats the uid of objects\[1\]/ },
    { name: 'date without time', change: (d) => set(pod(d).metadata, 'creationTimestamp', '2026-05-04'), path: 'objects[2].metadata.creationTimestamp', problem: /RFC 3339/ },
    { name: 'bad nested time', change: (d) => set(job(d).status, 'startTime', 'soon'), path: 'objects[1].status.startTime', problem: /RFC 3339/ },
    { name: 'namespace missing', change: (d) => set(pod(d).metadata, 'namespace', undefined), path: 'objects[2].metadata.namespace', problem: /namespaced Pod/ },
    { name: 'namespace on a Node', id: SECRET, change: (d) => set(first(d, 'Node').metadata as object, 'namespace', 'x'), path: 'objects[0].metadata.namespace', problem: /cluster-scoped Node/ },
    { name: 'two Jobs', change: (d) => void d.objects.push({ ...job(d), metadata: { ...job(d).metadata, uid: 'u2', name: 'j2' } }), path: 'objects', problem: /exactly one Job/ },
    { name: 'selector of another uid', change: (d) => set(job(d).spec?.selector?.matchLabels, 'batch.kubernetes.io/controller-uid', 'x'), path: 'objects[1].spec.selector.matchLabels', problem: /does not select the Job uid/ },
    { name: 'template label missing', change: (d) => set(job(d).spec?.template.metadata?.labels, 'job-name', undefined), path: 'objects[1].spec.template.metadata.labels["job-name"]', problem: /label the job controller sets/ },
    { name: 'CronJob owner of another uid', change: (d) => set(job(d).metadata?.ownerReferences?.[0], 'uid', 'x'), path: 'objects[1].metadata.ownerReferences[0].uid', problem: /not the uid of CronJob/ },
    { name: 'Job before its CronJob', change: (d) => set(first(d, 'CronJob').metadata as object, 'creationTimestamp', '2027-01-01T00:00:00Z'), path: 'objects[1].metadata.creationTimestamp', problem: /before its CronJob/ },
    { name: 'Pod of another owner', change: (d) => set(pod(d).metadata?.ownerReferences?.[0], 'uid', 'x'), path: 'objects[2].metadata.ownerReferences', problem: /does not point at Job/ },
    { name: 'Pod without controller flag', change: (d) => set(pod(d).metadata?.ownerReferences?.[0], 'controller', false), path: 'objects[2].metadata.ownerReferences', problem: /does not point at Job/ },
    { name: 'Pod label of another Job', change: (d) => set(pod(d).metadata?.labels, 'controller-uid', 'x'), path: 'objects[2].metadata.labels["controller-uid"]', problem: /label the job controller sets/ },
    { name: 'Pod name without suffix', change: (d) => set(pod(d).metadata, 'name', 'other-pod'), path: 'objects[2].metadata.name', problem: /5-character suffix/ },
    { name: 'Pod before its Job', change: (d) => set(pod(d).metadata, 'creationTimestamp', '2026-05-04T12:00:00Z'), path: 'objects[2].metadata.creationTimestamp', problem: /before its Job/ },
    { name: 'container ends before start', change: (d) => set(pod(d).status?.containerStatuses?.[0]?.state?.terminated, 'finishedAt', '2026-05-04T12:00:00Z'), path: 'objects[2].status.containerStatuses[0].state.terminated.finishedAt', problem: /before startedAt/ },
    { name: 'Failed before FailureTarget', change: (d) => set(job(d).status?.conditions?.[1], 'lastTransitionTime', '2026-05-04T13:01:00Z'), path: 'objects[1].status.conditions[1].lastTransitionTime', problem: /before the FailureTarget/ },
    { name: 'FailureTarget reason differs', change: (d) => set(job(d).status?.conditions?.[0], 'reason', 'DeadlineExceeded'), path: 'objects[1].status.conditions[1].reason', problem: /FailureTarget reason/ },
    { name: 'condition without message', change: (d) => set(job(d).status?.conditions?.[1], 'message', undefined), path: 'objects[1].status.conditions[1]', problem: /no reason or message/ },
    { name: 'deadline reached too early', change: (d) => {
      for (const c of job(d).status?.conditions ?? []) c.reason = 'DeadlineExceeded';
      set(d.expected, 'reason', 'DeadlineExceeded');
    }, path: 'objects[1].status.conditions[1].lastTransitionTime', problem: /less than activeDeadlineSeconds \(300\)/ },
    { name: 'fewer failures than Pods', change: (d) => set(job(d).status, 'failed', 2), path: 'objects[1].status.failed', problem: /fewer than the 3 failed or deleted Pods/ },
    { name: 'active count on a failed Job', change: (d) => set(job(d).status, 'active', 1), path: 'objects[1].status.active', problem: /above 0 on a failed Job/ },
    { name: 'event without component', change: (d) => set(event(d, 5), 'source', undefined), path: 'objects[5].source.component', problem: /missing/ },
    { name: 'event type unknown', change: (d) => set(event(d, 5), 'type', 'Error'), path: 'objects[5].type', problem: /Normal or Warning/ },
    { name: 'event count zero', change: (d) => set(event(d, 5), 'count', 0), path: 'objects[5].count', problem: /positive whole number/ },
    { name: 'event in the events.k8s.io shape', change: (d) => toEventsApiShape(event(d, 7)), path: 'objects[7].firstTimestamp', problem: /or lastTimestamp is missing/ },
    { name: 'event ends before start', change: (d) => set(event(d, 5), 'lastTimestamp', '2026-01-01T00:00:00Z'), path: 'objects[5].lastTimestamp', problem: /before firstTimestamp/ },
    { name: 'event about a missing Job', change: (d) => set(event(d, 6).involvedObject, 'uid', 'x'), path: 'objects[6].involvedObject.uid', problem: /matches no object/ },
    { name: 'event kind unlike its uid', change: (d) => set(event(d, 6).involvedObject, 'kind', 'CronJob'), path: 'objects[6].involvedObject', problem: /has the uid of Job\// },
    { name: 'event namespace differs', change: (d) => set(event(d, 6).involvedObject, 'namespace', 'x'), path: 'objects[6].involvedObject.namespace', problem: /differs from the namespace/ },
    { name: 'scheduled to another node', change: (d) => set(event(d, 7), 'message', event(d, 7).message?.replace(/to \S+$/, 'to node-9')), path: 'objects[7].message', problem: /names node node-9, but the Pod ran on infra-pool-1-8xk2m/ },
    { name: 'kubelet on another host', change: (d) => set(event(d, 8).source, 'host', 'node-9'), path: 'objects[8].source.host', problem: /differs from the Pod's node/ },
    { name: 'Secret the Pod never uses', id: SECRET, change: (d) => {
      for (const c of pod(d).spec?.containers ?? []) {
        set(c, 'env', undefined);
        set(c, 'envFrom', undefined);
      }
      set(pod(d).spec, 'volumes', []);
    }, path: 'objects[6].message', problem: /names Secret render-batch-secret-47, which the Pod does not use/ },
    { name: 'log of a missing Pod', change: (d) => set(d.logs[0], 'pod', 'gone-pod'), path: 'logs[0].pod', problem: /not a Pod of the scenario/ },
    { name: 'log of a missing container', change: (d) => set(d.logs[0], 'container', 'sidecar'), path: 'logs[0].container', problem: /not a container of Pod/ },
    { name: 'log without previous flag', change: (d) => set(d.logs[0], 'previous', undefined), path: 'logs[0].previous', problem: /true or false/ },
  ];

  for (const c of cases) {
    it(`reports ${c.name}`, () => {
      const data = fixture(c.id ?? OOM);
      c.change(data);
      const problems = problemsOf(data, c.id ?? OOM);
      const found = problems.find((p) => p.path === c.path);
      expect(found, problems.map(formatProblem).join('\n')).toBeDefined();
      expect(found?.problem).toMatch(c.problem);
      expect(found?.fix.length).toBeGreaterThan(0);
      expect(found?.file).toBe(`scenarios/${c.id ?? OOM}.json`);
    });
  }

  it('reports a non-object root once', () => {
    expect(checkScenario([], 'a.json').map((p) => p.path)).toEqual(['(root)']);
  });

  it('names eventTime and reportingComponent in event fixes', () => {
    const data = fixture(OOM);
    toEventsApiShape(event(data, 7));
    const fixes = new Map(problemsOf(data).map((p) => [p.path, p.fix]));
    expect([...fixes.keys()]).toEqual(['objects[7].count', 'objects[7].source.component', 'objects[7].firstTimestamp']);
    expect(fixes.get('objects[7].source.component')).toContain('"default-scheduler"');
    expect(fixes.get('objects[7].firstTimestamp')).toContain('"2026-05-04T13:00:01.123456Z"');
  });

  it('takes the source from NOTES.md', () => {
    const data = fixture(OOM);
    delete data.source;
    const notes = new Map([[OOM, 'https://github.com/example/project/pull/2']]);
    expect(checkScenario(data, `x/${OOM}.json`, { noteSources: notes })).toEqual([]);
    notes.set(OOM, 'see the chat');
    expect(checkScenario(data, `x/${OOM}.json`, { noteSources: notes }).map((p) => p.path)).toEqual(['source.url']);
  });

  it('keeps pods of an Ignore rule out of the failure count', () => {
    const data = fixture(OOM);
    const rule = { action: 'Ignore', onExitCodes: { operator: 'In', values: [137] } };
    set(job(data).spec, 'podFailurePolicy', { rules: [rule] });
    expect(problemsOf(data).map((p) => p.path)).toEqual([]);
    set(job(data).status, 'failed', 0);
    expect(problemsOf(data).map((p) => p.path)).toEqual([]);
    rule.onExitCodes.values = [1];
    expect(problemsOf(data).map((p) => p.path)).toEqual(['objects[1].status.failed']);
  });
});

describe('formatProblem', () => {
  it('names file, path, value and fix', () => {
    const line = formatProblem({ file: 'f.json', path: 'expected.cause', value: 'slow', problem: 'is not a cause id', fix: 'use app-error' });
    expect(line).toBe('f.json: expected.cause is not a cause id (value: "slow"); fix: use app-error');
  });

  it('leaves out a missing value and shortens a long one', () => {
    expect(formatProblem({ file: 'f', path: 'p', value: undefined, problem: 'is missing', fix: 'add it' })).toBe('f: p is missing; fix: add it');
    const long = formatProblem({ file: 'f', path: 'p', value: 'x'.repeat(200), problem: 'is long', fix: 'cut' });
    expect(long).toContain('...');
    expect(long.length).toBeLessThan(120);
  });
});
