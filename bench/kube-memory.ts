/**
 * Measures the heap that a ListWatch needs to cache slim Jobs.
 *
 * Run: `node --expose-gc bench/kube-memory.ts [jobs]` (default 50,000 Jobs). The source is
 * in memory and builds each raw Job only when its page is requested, as an API server
 * response would arrive, so the number printed is the cache plus the loop's own state.
 */
import { pino } from 'pino';
import { ListWatch } from '../src/kube/list-watch.ts';
import type {
  ListPage,
  ListRequest,
  ListWatchSource,
  RawObject,
} from '../src/kube/list-watch-source.ts';
import { slimJob } from '../src/watch/slim.ts';

const jobCount = Number(process.argv[2] ?? 50_000);
const pageSize = 500;

const time = '2026-11-30T02:00:00Z';

/** Builds a Job with the fields and bulk that a real API server returns. */
function rawJob(index: number): RawObject {
  const name = `etl-nightly-${index}`;
  const uid = `6f1c2a4e-0000-4000-8000-${String(index).padStart(12, '0')}`;
  const labels = {
    app: 'etl',
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': name,
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: `team-${index % 40}`,
      uid,
      resourceVersion: String(1_000_000 + index),
      creationTimestamp: time,
      labels,
      annotations: { 'batch.kubernetes.io/job-tracking': '' },
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          name: 'etl-nightly',
          uid: 'cj-uid',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      managedFields: [
        {
          manager: 'kube-controller-manager',
          operation: 'Update',
          apiVersion: 'batch/v1',
          time,
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:status': { 'f:conditions': {}, 'f:failed': {}, 'f:startTime': {} } },
        },
      ],
    },
    spec: jobSpec(uid, labels),
    status: jobStatus(index % 10 === 0),
  };
}

function jobSpec(uid: string, labels: Record<string, string>): RawObject {
  return {
    backoffLimit: 3,
    completionMode: 'NonIndexed',
    completions: 1,
    parallelism: 1,
    selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
    template: {
      metadata: { labels },
      spec: {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'main',
            image: 'registry.example.com/etl/nightly:2026.11.30',
            args: ['--date', '2026-11-29', '--partitions', '64', '--output', 's3://bucket/path'],
            env: [
              { name: 'LOG_LEVEL', value: 'info' },
              { name: 'REGION', value: 'eu-west-1' },
            ],
            resources: {
              limits: { cpu: '2', memory: '4Gi' },
              requests: { cpu: '1', memory: '2Gi' },
            },
          },
        ],
      },
    },
  };
}

/** Builds the status of a failed Job (one in ten) or a completed one. */
function jobStatus(failed: boolean): RawObject {
  const times = { lastTransitionTime: time, lastProbeTime: time };
  if (failed) {
    const message = 'Job has reached the specified backoff limit';
    const condition = { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message };
    return { failed: 4, succeeded: 0, startTime: time, conditions: [{ ...condition, ...times }] };
  }
  const condition = { type: 'Complete', status: 'True', ...times };
  const counts = { failed: 0, succeeded: 1 };
  return { ...counts, startTime: time, completionTime: time, conditions: [condition] };
}

/** Serves the Jobs page by page, then keeps the watch open until the loop stops. */
const source: ListWatchSource = {
  list(request: ListRequest): Promise<ListPage> {
    const start = Number(request.continueToken ?? 0);
    const end = Math.min(start + request.limit, jobCount);
    const items = Array.from({ length: end - start }, (_, offset) => rawJob(start + offset));
    const page = { items, resourceVersion: '2000000' };
    return Promise.resolve(end < jobCount ? { ...page, continueToken: String(end) } : page);
  },
  watch: (request) =>
    new Promise((_resolve, reject) => {
      request.signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true });
    }),
};

function heapMiB(): number {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

if (globalThis.gc === undefined) console.warn('run with --expose-gc for stable numbers');
const before = heapMiB();
const watch = new ListWatch({
  source,
  path: '/apis/batch/v1/jobs',
  pageSize,
  slim: (raw) => slimJob(raw),
  keyOf: (job) => job.uid,
  logger: pino({ level: 'silent' }),
});
await watch.start();
const after = heapMiB();
const cacheMiB = after - before;
const bytesPerJob = Math.round((cacheMiB * 1024 * 1024) / jobCount);
console.log(
  `jobs=${watch.stats().objects} heapBeforeMiB=${before.toFixed(1)} ` +
    `heapAfterMiB=${after.toFixed(1)} cacheMiB=${cacheMiB.toFixed(1)} bytesPerJob=${bytesPerJob}`,
);
await watch.stop();
