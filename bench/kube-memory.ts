/**
 * Measures the heap that a ListWatch needs to cache slim Jobs.
 *
 * Run: `node --expose-gc bench/kube-memory.ts [jobs]` (default 50,000 Jobs). The source is
 * in memory and builds each raw Job only when its page is requested, as an API server
 * response would arrive, so the number printed is the cache plus the loop's own state.
 * `npm run bench -- memory` measures the whole watcher role, Jobs and pods, over HTTP.
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
import { rawJob } from './cluster-objects.ts';

const jobCount = Number(process.argv[2] ?? 50_000);
const pageSize = 500;

const time = '2026-11-30T02:00:00Z';

/** Builds Job number `index` (one in ten failed) with the resourceVersion a list returns. */
function listedJob(index: number): RawObject {
  const job = rawJob(index, { failed: index % 10 === 0, time });
  const metadata = job.metadata as Record<string, unknown>;
  metadata.resourceVersion = String(1_000_000 + index);
  return job;
}

/** Serves the Jobs page by page, then keeps the watch open until the loop stops. */
const source: ListWatchSource = {
  list(request: ListRequest): Promise<ListPage> {
    const start = Number(request.continueToken ?? 0);
    const end = Math.min(start + request.limit, jobCount);
    const items = Array.from({ length: end - start }, (_, offset) => listedJob(start + offset));
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
