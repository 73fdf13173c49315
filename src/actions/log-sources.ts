/**
 * Lists the container logs of a Job's failed attempts: from the pods that still exist, read
 * live, and from the evidence the watcher captured for pods that are gone or for runs the
 * kubelet no longer keeps.
 */
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { CapturedEvidence } from '../queue/signals.ts';

/** A captured log text, as the watcher stored it (already redacted once). */
export interface CapturedLog {
  text: string;
  /** True when the capture reached its byte limit. */
  truncated: boolean;
}

/** One container run whose log goes into the file. */
export interface LogSource {
  namespace: string;
  pod: string;
  podUid: string;
  container: string;
  init: boolean;
  /** The log is the run before the container's last restart (`previous=true`). */
  previous: boolean;
  /** 0-based run of the container (its restart count at that run), when known. */
  run?: number;
  origin: 'live' | 'captured';
  /** Reason a `captured` source is not read live: its pod is deleted, or the kubelet dropped the run. */
  goneWith?: 'pod' | 'run';
  /** The captured text: the content of a `captured` source, the fallback of a `live` one. */
  captured?: CapturedLog;
}

/** The sources and what could not be included, in words. */
export interface LogSourceList {
  sources: LogSource[];
  notes: string[];
}

interface EvidenceLog {
  podUid: string;
  pod?: V1Pod;
  namespace: string;
  podName: string;
  container: string;
  previous: boolean;
  run?: number;
  captured: CapturedLog;
}

/** Returns `uid` from an attempt key `<podUid>.<run>`. */
function podUidOfKey(key: string): string {
  const dot = key.lastIndexOf('.');
  return dot < 0 ? key : key.slice(0, dot);
}

function statusesOf(pod: V1Pod | undefined): { status: V1ContainerStatus; init: boolean }[] {
  return [
    ...(pod?.status?.initContainerStatuses ?? []).map((status) => ({ status, init: true })),
    ...(pod?.status?.containerStatuses ?? []).map((status) => ({ status, init: false })),
  ];
}

/** Flattens the evidence into logs, each with its run when the captured pod's status gives it. */
function evidenceLogs(evidence: Record<string, CapturedEvidence>): EvidenceLog[] {
  const byKey = new Map<string, EvidenceLog>();
  for (const [key, entry] of Object.entries(evidence)) {
    const pod = entry.pod as V1Pod | undefined;
    const podUid = pod?.metadata?.uid ?? podUidOfKey(key);
    for (const log of entry.logs) {
      const status = statusesOf(pod).find((s) => s.status.name === log.container)?.status;
      const restarts = status?.restartCount;
      let run: number | undefined;
      if (restarts !== undefined) run = log.previous ? restarts - 1 : restarts;
      const item: EvidenceLog = {
        podUid,
        namespace: log.namespace,
        podName: log.pod,
        container: log.container,
        previous: log.previous,
        captured: { text: log.text, truncated: log.truncated ?? false },
        ...(pod === undefined ? {} : { pod }),
        ...(run === undefined ? {} : { run }),
      };
      // Two captures of the same run keep the longer text, which was read later.
      const id = `${podUid}/${log.container}/${run ?? (log.previous ? 'previous' : 'current')}`;
      const known = byKey.get(id);
      if (!known || known.captured.text.length < item.captured.text.length) byKey.set(id, item);
    }
  }
  return [...byKey.values()];
}

/** True for a pod that contains a failed attempt: failed, or with a restarted container. */
function holdsFailure(pod: V1Pod): boolean {
  if (pod.status?.phase === 'Failed') return true;
  return statusesOf(pod).some(
    ({ status }) =>
      (status.restartCount ?? 0) > 0 || (status.state?.terminated?.exitCode ?? 0) !== 0,
  );
}

function liveSources(pod: V1Pod, captured: EvidenceLog[]): LogSource[] {
  const namespace = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  const podUid = pod.metadata?.uid ?? name;
  const sources: LogSource[] = [];
  for (const { status, init } of statusesOf(pod)) {
    const restarts = status.restartCount ?? 0;
    const runs: { previous: boolean; run: number }[] = [];
    if (restarts > 0) runs.push({ previous: true, run: restarts - 1 });
    if (status.state?.terminated !== undefined) runs.push({ previous: false, run: restarts });
    for (const { previous, run } of runs) {
      const fallback = captured.find(
        (c) => c.container === status.name && c.previous === previous && (c.run ?? run) === run,
      );
      const source: LogSource = {
        namespace,
        pod: name,
        podUid,
        container: status.name,
        init,
        previous,
        run,
        origin: 'live',
      };
      if (fallback) source.captured = fallback.captured;
      sources.push(source);
    }
  }
  return sources;
}

function capturedSource(log: EvidenceLog, init: boolean, goneWith: 'pod' | 'run'): LogSource {
  const source: LogSource = {
    namespace: log.namespace,
    pod: log.podName,
    podUid: log.podUid,
    container: log.container,
    init,
    previous: log.previous,
    origin: 'captured',
    goneWith,
    captured: log.captured,
  };
  if (log.run !== undefined) source.run = log.run;
  return source;
}

/** Orders sources by pod creation, then containers in status order (init first), then run. */
function order(sources: LogSource[], created: Map<string, number>): LogSource[] {
  const containerRank = new Map<string, number>();
  for (const source of sources) {
    const id = `${source.podUid}/${source.container}`;
    if (!containerRank.has(id)) containerRank.set(id, containerRank.size);
  }
  const rankOf = (s: LogSource) => containerRank.get(`${s.podUid}/${s.container}`) ?? 0;
  return [...sources].sort(
    (a, b) =>
      (created.get(a.podUid) ?? 0) - (created.get(b.podUid) ?? 0) ||
      a.podUid.localeCompare(b.podUid) ||
      rankOf(a) - rankOf(b) ||
      (a.run ?? 0) - (b.run ?? 0),
  );
}

/**
 * Writes a note for each container of a live pod whose older runs are lost: the kubelet keeps
 * the log of the current run and of the one before it, and the evidence lacks the rest.
 */
function lostRunNotes(pod: V1Pod, captured: EvidenceLog[]): string[] {
  const notes: string[] = [];
  for (const { status } of statusesOf(pod)) {
    const restarts = status.restartCount ?? 0;
    const lost: number[] = [];
    for (let run = 0; run < restarts - 1; run += 1) {
      if (!captured.some((c) => c.container === status.name && c.run === run)) lost.push(run + 1);
    }
    if (lost.length === 0) continue;
    notes.push(
      `Container ${status.name} of pod ${pod.metadata?.name ?? ''} restarted ${restarts} times. ` +
        `The log of run ${lost.join(', ')} is gone, because the kubelet keeps only the run ` +
        'before the last restart and none was captured.',
    );
  }
  return notes;
}

function createdAt(pod: V1Pod | undefined): number {
  const time = pod?.metadata?.creationTimestamp;
  return time === undefined ? 0 : new Date(time).getTime();
}

/**
 * Lists every failed attempt's container logs. Live pods that failed or restarted give their
 * current run (when it ended) and their previous run. Captured logs are added for pods that
 * are gone, and for a live pod's older runs that the kubelet no longer keeps, since it
 * keeps only the run before the last restart.
 */
export function listLogSources(
  pods: readonly V1Pod[],
  evidence: Record<string, CapturedEvidence>,
): LogSourceList {
  const captured = evidenceLogs(evidence);
  const liveUids = new Set(pods.map((p) => p.metadata?.uid ?? p.metadata?.name ?? ''));
  const created = new Map<string, number>();
  const sources: LogSource[] = [];
  const notes: string[] = [];

  for (const pod of pods.filter(holdsFailure)) {
    const uid = pod.metadata?.uid ?? pod.metadata?.name ?? '';
    created.set(uid, createdAt(pod));
    const own = captured.filter((c) => c.podUid === uid);
    const live = liveSources(pod, own);
    if (live.length === 0)
      notes.push(
        `Pod ${pod.metadata?.name ?? uid} failed before any container ran, so it has no log.`,
      );
    notes.push(...lostRunNotes(pod, own));
    sources.push(...live);
    const oldestLive = Math.min(...live.map((s) => s.run ?? 0));
    for (const log of own.filter((c) => c.run !== undefined && c.run < oldestLive))
      sources.push(capturedSource(log, isInit(pod, log.container), 'run'));
  }
  for (const log of captured.filter((c) => !liveUids.has(c.podUid))) {
    created.set(log.podUid, createdAt(log.pod));
    sources.push(capturedSource(log, isInit(log.pod, log.container), 'pod'));
  }
  return { sources: order(sources, created), notes };
}

function isInit(pod: V1Pod | undefined, container: string): boolean {
  return (pod?.spec?.initContainers ?? []).some((c) => c.name === container);
}
