import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { KubeConfig, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectFullLogs,
  DEFAULT_MAX_LOG_BYTES,
  type FullLogs,
} from '../../src/actions/full-logs.ts';
import { cutToBudget } from '../../src/actions/log-cut.ts';
import { createClusterReader } from '../../src/app/cluster-reader.ts';
import { redactText } from '../../src/diagnose/redact.ts';
import type { ClusterReader } from '../../src/episode/cluster-reader.ts';
import type { CapturedEvidence } from '../../src/queue/signals.ts';
import {
  loadScenario,
  playScenario,
  startSimCluster,
  type SimCluster,
} from '../../src/sim/index.ts';
import type { KubeObject } from '../../src/sim/resources.ts';

const SCENARIOS = join(import.meta.dirname, '../../fixtures/scenarios');

let sim: SimCluster;
let reader: ClusterReader;

beforeAll(async () => {
  sim = await startSimCluster();
  const kc = new KubeConfig();
  kc.loadFromFile(sim.kubeconfigPath);
  reader = createClusterReader(kc);
});

afterAll(async () => {
  await sim.stop();
});

/** Wraps a reader to record each log read: its byte limit and the size of the text returned. */
function recording(inner: ClusterReader): {
  reader: ClusterReader;
  reads: { limitBytes: number; tailLines: number; bytes: number }[];
} {
  const reads: { limitBytes: number; tailLines: number; bytes: number }[] = [];
  return {
    reads,
    reader: {
      ...inner,
      async readPodLog(options) {
        const result = await inner.readPodLog(options);
        const bytes = 'text' in result ? Buffer.byteLength(result.text) : 0;
        reads.push({ limitBytes: options.limitBytes, tailLines: options.tailLines, bytes });
        return result;
      },
    },
  };
}

interface ContainerShape {
  name: string;
  exitCode?: number;
  restartCount?: number;
  /** Whether the current run has ended; default true. */
  terminated?: boolean;
}

/** Builds a pod of a Job on the simulated node, with terminated container statuses. */
function podOf(
  job: V1Job,
  options: {
    containers: ContainerShape[];
    init?: ContainerShape[];
    phase?: string;
    created?: string;
  },
): V1Pod {
  const name = `${job.metadata?.name ?? ''}-${randomUUID().slice(0, 5)}`;
  const status = (c: ContainerShape) => ({
    name: c.name,
    restartCount: c.restartCount ?? 0,
    ready: false,
    image: 'app:1',
    imageID: '',
    state:
      c.terminated === false
        ? { running: { startedAt: new Date() } }
        : { terminated: { exitCode: c.exitCode ?? 1, reason: 'Error' } },
    ...((c.restartCount ?? 0) > 0
      ? { lastState: { terminated: { exitCode: 1, reason: 'Error' } } }
      : {}),
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: job.metadata?.namespace ?? 'default',
      uid: randomUUID(),
      creationTimestamp: new Date(options.created ?? '2026-01-01T00:00:00Z'),
      labels: { 'batch.kubernetes.io/controller-uid': job.metadata?.uid ?? '' },
    },
    spec: {
      nodeName: 'node-1',
      restartPolicy: 'OnFailure',
      containers: options.containers.map((c) => ({ name: c.name, image: 'app:1' })),
      initContainers: (options.init ?? []).map((c) => ({ name: c.name, image: 'app:1' })),
    },
    status: {
      phase: options.phase ?? 'Failed',
      containerStatuses: options.containers.map(status),
      initContainerStatuses: (options.init ?? []).map(status),
    },
  };
}

function jobNamed(name: string, namespace = 'logs'): V1Job {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace, uid: randomUUID() } };
}

/** Creates the pods in the simulated cluster, with the given logs. */
function serve(
  pods: V1Pod[],
  logs: Record<string, { current?: string | Buffer; previous?: string | Buffer }>,
): void {
  for (const pod of pods) {
    sim.store.create(pod as unknown as KubeObject);
    for (const [container, text] of Object.entries(logs)) {
      if (
        [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].some(
          (c) => c.name === container,
        )
      ) {
        sim.setLogs(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', container, text);
      }
    }
  }
}

function deletePod(pod: V1Pod): void {
  sim.store.delete({
    apiVersion: 'v1',
    kind: 'Pod',
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
  });
}

/** Builds the evidence the watcher would have stored for a pod. */
function evidenceOf(
  pod: V1Pod,
  logs: { container: string; previous: boolean; text: string; truncated?: boolean }[],
): Record<string, CapturedEvidence> {
  const uid = pod.metadata?.uid ?? '';
  return {
    [`${uid}.0`]: {
      pod: pod as unknown as Record<string, unknown>,
      logs: logs.map((l) => ({
        namespace: pod.metadata?.namespace ?? '',
        pod: pod.metadata?.name ?? '',
        ...l,
      })),
      missing: [],
    },
  };
}

const redact = (text: string) => redactText(text);

function onlyFile(result: FullLogs) {
  expect(result.files).toHaveLength(1);
  const [file] = result.files;
  if (file === undefined) throw new Error('no file');
  return file;
}

/** Builds a log of `count` numbered lines of `width` bytes each, newline included. */
function numberedLog(count: number, width: number): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < count; i += 1)
    lines.push(`line ${String(i).padStart(8, '0')} `.padEnd(width - 1, 'x') + '\n');
  return Buffer.from(lines.join(''));
}

describe('collectFullLogs on scenarios', () => {
  it('reads the previous and current run of a restarted container', async () => {
    const scenario = await loadScenario(join(SCENARIOS, 'oom-previous-run-then-stale-output.json'));
    const played = await playScenario(sim, scenario, { delay: async () => {} });
    const job = (await reader.getJob(played.namespace, played.jobName)) as V1Job;
    const pods = await reader.listJobPods(played.namespace, played.jobUid);

    const result = await collectFullLogs({ reader, job, pods, evidence: {}, redact });
    const file = onlyFile(result);

    const previousLog = scenario.logs.find((l) => l.previous)?.text ?? '';
    const currentLog = scenario.logs.find((l) => !l.previous)?.text ?? '';
    expect(file.name).toBe(`${played.jobName}-logs.txt`);
    expect(file.content).toContain(previousLog.trim());
    expect(file.content).toContain(currentLog.trim());
    expect(file.content.indexOf(previousLog.trim())).toBeLessThan(
      file.content.indexOf(currentLog.trim()),
    );
    expect(file.content).toMatch(
      /===== pod \S+ container plugin \(run 1, before the last restart\) · read live =====/,
    );
    expect(file.content).toMatch(/===== pod \S+ container plugin \(run 2\) · read live =====/);
    expect(file.title).toBe(`Logs of ${played.jobName}: 2 logs, 2 read live, 0 captured`);
    expect(file.truncated).toBe(false);
    expect(file.bytes).toBe(Buffer.byteLength(file.content));
    expect(result.notes).toContain('2 of 2 logs were read live from the cluster.');
  });

  it('includes init container logs of every failed pod', async () => {
    const scenario = await loadScenario(
      join(SCENARIOS, 'release-job-prisma-init-container-db-unreachable.json'),
    );
    const played = await playScenario(sim, scenario, { delay: async () => {} });
    const job = (await reader.getJob(played.namespace, played.jobName)) as V1Job;
    const pods = await reader.listJobPods(played.namespace, played.jobUid);

    const file = onlyFile(await collectFullLogs({ reader, job, pods, evidence: {}, redact }));

    const headers = file.content.match(/^===== .* =====$/gm) ?? [];
    expect(headers).toHaveLength(2);
    for (const header of headers)
      expect(header).toMatch(/init container migrator \(run 1\) · read live/);
    expect(file.content).toContain(scenario.logs[0]?.text.trim().split('\n').at(-1));
  });

  it('takes logs of deleted pods from the captured evidence', async () => {
    const scenario = await loadScenario(
      join(SCENARIOS, 'release-job-prisma-init-container-db-unreachable.json'),
    );
    const played = await playScenario(sim, scenario, { delay: async () => {} });
    const job = (await reader.getJob(played.namespace, played.jobName)) as V1Job;
    const pods = await reader.listJobPods(played.namespace, played.jobUid);
    let evidence: Record<string, CapturedEvidence> = {};
    for (const pod of pods) {
      const log = scenario.logs.find((l) => l.container === 'migrator')?.text ?? '';
      evidence = {
        ...evidence,
        ...evidenceOf(pod, [{ container: 'migrator', previous: false, text: log }]),
      };
      deletePod(pod);
    }

    const result = await collectFullLogs({ reader, job, pods: [], evidence, redact });
    const file = onlyFile(result);

    expect(file.title).toBe(`Logs of ${played.jobName}: 2 logs, 0 read live, 2 captured`);
    expect(
      file.content.match(/init container migrator \(run 1\) · captured when it failed/g),
    ).toHaveLength(2);
    const notes = result.notes.filter((n) =>
      n.includes('the pod is gone, so its log comes from the evidence'),
    );
    expect(notes).toHaveLength(2);
  });
});

describe('collectFullLogs sources', () => {
  it('falls back to the capture when the pod goes during the read', async () => {
    const job = jobNamed('vanishing');
    const pod = podOf(job, { containers: [{ name: 'main' }] });
    serve([pod], { main: { current: 'live text\n' } });
    deletePod(pod);
    const evidence = evidenceOf(pod, [
      { container: 'main', previous: false, text: 'captured text\n' },
    ]);

    const result = await collectFullLogs({ reader, job, pods: [pod], evidence, redact });
    const file = onlyFile(result);

    expect(file.content).toContain('captured text');
    expect(file.content).toContain('· captured when it failed =====');
    expect(result.notes.some((n) => n.includes('the live read failed (pod-not-found'))).toBe(true);
  });

  it('shows why a log is missing when nothing was captured', async () => {
    const job = jobNamed('no-capture');
    const pod = podOf(job, { containers: [{ name: 'main' }] });
    const result = await collectFullLogs({ reader, job, pods: [pod], evidence: {}, redact });
    const file = onlyFile(result);
    expect(file.content).toMatch(/· no log =====\n\(no log: pod-not-found/);
    expect(
      result.notes.some((n) => n.includes('container main (run 1): no log, pod-not-found')),
    ).toBe(true);
  });

  it('adds captured runs the kubelet no longer keeps', async () => {
    const job = jobNamed('restarts');
    const pod = podOf(job, { containers: [{ name: 'main', restartCount: 3 }] });
    serve([pod], { main: { previous: 'run three\n', current: 'run four\n' } });
    const early = structuredClone(pod);
    const status = early.status?.containerStatuses?.[0];
    if (status) status.restartCount = 1;
    const evidence = evidenceOf(early, [{ container: 'main', previous: true, text: 'run one\n' }]);

    const result = await collectFullLogs({ reader, job, pods: [pod], evidence, redact });
    const content = onlyFile(result).content;

    expect(content.indexOf('run one')).toBeGreaterThan(0);
    expect(content.indexOf('run one')).toBeLessThan(content.indexOf('run three'));
    expect(content.indexOf('run three')).toBeLessThan(content.indexOf('run four'));
    expect(content).toContain(
      'container main (run 1, before the last restart) · captured when it failed',
    );
    expect(result.notes).toContain(
      `Container main of pod ${pod.metadata?.name ?? ''} restarted 3 times. The log of run 2 is gone, ` +
        'because the kubelet keeps only the run before the last restart and none was captured.',
    );
  });

  it('skips running pods without restarts and succeeded pods', async () => {
    const job = jobNamed('mixed');
    const failedPod = podOf(job, { containers: [{ name: 'main' }] });
    const running = podOf(job, {
      containers: [{ name: 'main', terminated: false }],
      phase: 'Running',
    });
    const succeeded = podOf(job, {
      containers: [{ name: 'main', exitCode: 0 }],
      phase: 'Succeeded',
    });
    serve([failedPod, running, succeeded], { main: { current: 'some output\n' } });

    const file = onlyFile(
      await collectFullLogs({
        reader,
        job,
        pods: [failedPod, running, succeeded],
        evidence: {},
        redact,
      }),
    );

    expect(file.content.match(/^===== /gm)).toHaveLength(1);
    expect(file.content).toContain(`pod ${failedPod.metadata?.name ?? ''} container main`);
  });

  it('returns no file when no attempt has a log', async () => {
    const result = await collectFullLogs({
      reader,
      job: jobNamed('empty'),
      pods: [],
      evidence: {},
      redact,
    });
    expect(result.files).toEqual([]);
    expect(result.notes).toEqual([
      'No failed attempt of Job empty has a log: its pods are gone and none was captured.',
    ]);
  });

  it('masks secrets in live and captured logs', async () => {
    const job = jobNamed('secrets');
    const live = podOf(job, { containers: [{ name: 'main' }] });
    const gone = podOf(job, { containers: [{ name: 'main' }] });
    serve([live], { main: { current: 'connecting with password=hunter2\n' } });
    const evidence = evidenceOf(gone, [
      { container: 'main', previous: false, text: 'Authorization: Bearer abcdefghijklmnop\n' },
    ]);

    const content = onlyFile(
      await collectFullLogs({ reader, job, pods: [live], evidence, redact }),
    ).content;

    expect(content).toContain('password=****');
    expect(content).not.toContain('hunter2');
    expect(content).not.toContain('abcdefghijklmnop');
  });

  it('rejects a size limit under the minimum', async () => {
    await expect(
      collectFullLogs({
        reader,
        job: jobNamed('x'),
        pods: [],
        evidence: {},
        redact,
        maxBytes: 100,
      }),
    ).rejects.toThrow(
      'invalid full-logs size limit 100: use a whole number of bytes, at least 16384',
    );
  });
});

describe('collectFullLogs size limit', () => {
  it('cuts a 50 MB log without reading it whole', async () => {
    const job = jobNamed('huge');
    const pod = podOf(job, { containers: [{ name: 'main' }] });
    const big = numberedLog(500_000, 100);
    const last = 'FATAL: disk quota exceeded while writing /data/out.parquet\n';
    serve([pod], {
      main: { current: Buffer.concat([Buffer.from('starting export\n'), big, Buffer.from(last)]) },
    });
    const recorder = recording(reader);

    const result = await collectFullLogs({
      reader: recorder.reader,
      job,
      pods: [pod],
      evidence: {},
      redact,
    });
    const file = onlyFile(result);

    expect(file.bytes).toBeLessThanOrEqual(DEFAULT_MAX_LOG_BYTES);
    expect(file.bytes).toBeGreaterThan(DEFAULT_MAX_LOG_BYTES * 0.9);
    expect(file.truncated).toBe(true);
    expect(file.content).toContain('starting export\n');
    expect(file.content.endsWith(last)).toBe(true);
    expect(file.content).toContain(
      '… lines cut: the log is over 10.0 MB, so the part between these lines was not read …\n',
    );
    for (const read of recorder.reads)
      expect(read.bytes).toBeLessThanOrEqual(2 * DEFAULT_MAX_LOG_BYTES);
    for (const read of recorder.reads)
      expect(read.limitBytes).toBeLessThanOrEqual(2 * DEFAULT_MAX_LOG_BYTES);
    expect(
      result.notes.some((n) =>
        /the log is over 10\.0 MB\. Its first 50 and last [\d,]+ lines were read/.test(n),
      ),
    ).toBe(true);
  });

  it('counts the lines and bytes cut from a log read whole', async () => {
    const job = jobNamed('counted');
    const pod = podOf(job, { containers: [{ name: 'main' }] });
    serve([pod], { main: { current: numberedLog(100_000, 100) } });

    const result = await collectFullLogs({
      reader,
      job,
      pods: [pod],
      evidence: {},
      redact,
      maxBytes: 6_000_000,
    });
    const file = onlyFile(result);

    const marker = /^… ([\d,]+) lines \((\d+\.\d) MB\) cut …$/m.exec(file.content);
    expect(marker).not.toBeNull();
    const cutLines = Number((marker?.[1] ?? '').replace(/,/g, ''));
    const keptLines = file.content.match(/^line \d{8} /gm)?.length ?? 0;
    expect(cutLines + keptLines).toBe(100_000);
    expect(Number(marker?.[2])).toBeCloseTo((cutLines * 100) / 1_000_000, 1);
    expect(file.content).toContain('line 00000000 ');
    expect(file.content).toContain('line 00000049 ');
    expect(file.content).not.toContain('line 00000050 ');
    expect(file.content).toContain('line 00099999 ');
    expect(file.bytes).toBeLessThanOrEqual(6_000_000);
  });

  it('gives the share of short logs to the long one', async () => {
    const job = jobNamed('shares');
    const small = podOf(job, { containers: [{ name: 'main' }] });
    const large = podOf(job, { containers: [{ name: 'main' }], created: '2026-01-01T00:01:00Z' });
    serve([small], { main: { current: 'short failure\n' } });
    serve([large], { main: { current: numberedLog(20_000, 100) } });

    const file = onlyFile(
      await collectFullLogs({
        reader,
        job,
        pods: [small, large],
        evidence: {},
        redact,
        maxBytes: 1_000_000,
      }),
    );

    const largeSection = file.content.slice(
      file.content.indexOf(`pod ${large.metadata?.name ?? ''}`),
    );
    expect(Buffer.byteLength(largeSection)).toBeGreaterThan(900_000);
    expect(file.content).toContain('short failure');
    expect(file.bytes).toBeLessThanOrEqual(1_000_000);
  });

  it('keeps the start of a last line over the share', async () => {
    const job = jobNamed('one-line');
    const pod = podOf(job, { containers: [{ name: 'main' }] });
    const line = `{"stack":"${'y'.repeat(3_000_000)}"}`;
    serve([pod], { main: { current: `begin\n${line}` } });

    const result = await collectFullLogs({
      reader,
      job,
      pods: [pod],
      evidence: {},
      redact,
      maxBytes: 1_000_000,
    });
    const file = onlyFile(result);

    expect(file.bytes).toBeLessThanOrEqual(1_000_000);
    expect(file.content).toContain('{"stack":"yyy');
    expect(result.notes.some((n) => n.includes('its last line alone is over'))).toBe(true);
  });

  it('leaves out the oldest logs when too many share the limit', async () => {
    const job = jobNamed('many');
    const pods = Array.from({ length: 12 }, (_, i) =>
      podOf(job, {
        containers: [{ name: 'main' }],
        created: `2026-01-01T00:${String(i).padStart(2, '0')}:00Z`,
      }),
    );
    serve(pods, { main: { current: numberedLog(2000, 100) } });

    const result = await collectFullLogs({
      reader,
      job,
      pods,
      evidence: {},
      redact,
      maxBytes: 40_000,
    });
    const file = onlyFile(result);

    expect(file.bytes).toBeLessThanOrEqual(40_000);
    expect(file.truncated).toBe(true);
    expect(
      result.notes.some((n) =>
        /^5 of 12 logs were left out to fit the 40\.0 kB limit: the oldest/.test(n),
      ),
    ).toBe(true);
    expect(file.content).toContain(`pod ${pods[11]?.metadata?.name ?? ''}`);
    expect(file.content).not.toContain(`pod ${pods[0]?.metadata?.name ?? ''}`);
  });
});

describe('cutToBudget', () => {
  it('keeps a log that fits unchanged', () => {
    expect(cutToBudget('a\nb\n', 100)).toEqual({ text: 'a\nb\n', cutLines: 0, cutBytes: 0 });
  });

  it('measures multibyte text in UTF-8 bytes', () => {
    const text = 'é日本🟢\n'.repeat(5000);
    const cut = cutToBudget(text, 4000);
    expect(Buffer.byteLength(cut.text)).toBeLessThanOrEqual(4000);
    expect(cut.text).not.toContain('\ufffd');
    expect(cut.cutBytes + Buffer.byteLength(cut.text)).toBeGreaterThan(Buffer.byteLength(text));
  });

  it('keeps the end of a single line over the budget', () => {
    const cut = cutToBudget(`${'a'.repeat(10_000)}ERROR at the end`, 1000);
    expect(cut.text.endsWith('ERROR at the end')).toBe(true);
    expect(Buffer.byteLength(cut.text)).toBeLessThanOrEqual(1000);
  });
});
