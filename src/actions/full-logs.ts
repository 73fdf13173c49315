/**
 * The full logs of a failed Job for upload into the alert's thread: every failed attempt's
 * container logs, redacted and cut to a size limit.
 *
 * The output is one combined file, `<job>-logs.txt`, with a header line per container run,
 * because one upload keeps the thread short and lets a reader search every attempt at once.
 */
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ClusterReader } from '../episode/cluster-reader.ts';
import type { CapturedEvidence } from '../queue/signals.ts';
import { byteSize, formatBytes } from './log-cut.ts';
import {
  capturedSection,
  describeSource,
  liveSection,
  type LogSection,
  type SectionContext,
} from './log-sections.ts';
import { listLogSources, type LogSource } from './log-sources.ts';
import { ALL_LINES } from './log-window.ts';

/** Default size limit of the whole file, in bytes (5 MB). */
export const DEFAULT_MAX_LOG_BYTES = 5_000_000;

/** Smallest accepted size limit, in bytes; below it the headers alone would not fit. */
export const MIN_MAX_LOG_BYTES = 16_384;

/** Bytes set aside for the file header. */
const FILE_HEADER_RESERVE = 2048;

/** Bytes set aside per section for its header line and the blank line after it. */
const SECTION_HEADER_RESERVE = 1024;

/** Smallest log share worth a section, in bytes; past that, the oldest sections are left out. */
const MIN_SECTION_BYTES = 4096;

/** Input of {@link collectFullLogs}. */
export interface FullLogsInput {
  reader: ClusterReader;
  /** The failed Job, as `EpisodeStore.getJob` returns it. */
  job: V1Job;
  /** The Job's pods that still exist, as `ClusterReader.listJobPods` returns them. */
  pods: V1Pod[];
  /** Captured evidence per attempt key, as `EpisodeStore.getEvidence` returns it. */
  evidence: Record<string, CapturedEvidence>;
  /** Size limit of the whole file in bytes; default {@link DEFAULT_MAX_LOG_BYTES}. */
  maxBytes?: number;
  /** Masks secrets in log text, such as `redactText` with the pod's secret env names. */
  redact: (text: string) => string;
  logger?: Logger;
}

/** One file to upload. */
export interface LogFile {
  name: string;
  /** File title for Slack: the Job and where its logs came from. */
  title: string;
  content: string;
  /** UTF-8 size of `content`, at most the size limit. */
  bytes: number;
  /** True when any log was cut, partly read or captured only in part. */
  truncated: boolean;
}

/** Output of {@link collectFullLogs}. */
export interface FullLogs {
  /** One combined file, or none when no failed attempt has a log. */
  files: LogFile[];
  /** Sentences for the thread: where each log came from and what was cut or is missing. */
  notes: string[];
}

/**
 * Collects every failed attempt's container logs into one file. Logs of pods that still
 * exist are read live, and those of deleted pods come from the captured evidence. Each log
 * gets an equal share of the size limit, and the share of short logs goes to the long
 * ones. A long log keeps its first lines and its end, with a marker line where it was cut,
 * and a log over twice its share is never read whole.
 *
 * @throws RangeError when `maxBytes` is below {@link MIN_MAX_LOG_BYTES}.
 */
export async function collectFullLogs(input: FullLogsInput): Promise<FullLogs> {
  const maxBytes = input.maxBytes ?? DEFAULT_MAX_LOG_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes < MIN_MAX_LOG_BYTES) {
    throw new RangeError(
      `invalid full-logs size limit ${maxBytes}: ` +
        `use a whole number of bytes, at least ${MIN_MAX_LOG_BYTES}`,
    );
  }
  const jobName = input.job.metadata?.name ?? 'job';
  const listed = listLogSources(input.pods, input.evidence);
  const notes = [...listed.notes];
  if (listed.sources.length === 0) {
    notes.push(
      `No failed attempt of Job ${jobName} has a log: its pods are gone and none was captured.`,
    );
    return { files: [], notes };
  }
  const sources = fitSourceCount(listed.sources, maxBytes, notes);
  const budget = maxBytes - FILE_HEADER_RESERVE - sources.length * SECTION_HEADER_RESERVE;
  const context: SectionContext = {
    reader: input.reader,
    redact: input.redact,
    logger: input.logger,
  };
  const sections = await readSections(context, sources, budget);
  notes.push(...originNote(sections), ...sections.flatMap((s) => s.notes));
  return { files: [buildFile(input.job, sections, maxBytes)], notes };
}

/** Keeps the newest sources when the limit cannot give each a useful share. */
function fitSourceCount(sources: LogSource[], maxBytes: number, notes: string[]): LogSource[] {
  const fit = Math.floor(
    (maxBytes - FILE_HEADER_RESERVE) / (SECTION_HEADER_RESERVE + MIN_SECTION_BYTES),
  );
  if (sources.length <= fit) return sources;
  const left = sources.slice(0, sources.length - fit);
  const pods = [...new Set(left.map((s) => s.pod))];
  notes.push(
    `${left.length} of ${sources.length} logs were left out ` +
      `to fit the ${formatBytes(maxBytes)} limit: ` +
      `the oldest, of pods ${pods.join(', ')}.`,
  );
  return sources.slice(-fit);
}

/**
 * Reads every source in two passes. The first reads each log up to an equal share and keeps
 * those that fit, so the second can give the long logs what the short ones left over.
 */
async function readSections(
  context: SectionContext,
  sources: LogSource[],
  budget: number,
): Promise<LogSection[]> {
  const equalShare = Math.floor(budget / sources.length);
  const sections: (LogSection | undefined)[] = [];
  for (const source of sources) sections.push(await readIfShort(context, source, equalShare));

  const used = sections.reduce((sum, s) => sum + (s === undefined ? 0 : byteSize(s.text)), 0);
  const longCount = sections.filter((s) => s === undefined).length;
  const share = longCount === 0 ? 0 : Math.floor((budget - used) / longCount);
  const done: LogSection[] = [];
  for (const [index, source] of sources.entries()) {
    const section = sections[index] ?? (await readWithShare(context, source, share));
    done.push(section);
  }
  return done;
}

function capturedWhy(source: LogSource): string {
  return source.goneWith === 'run' ? 'the kubelet no longer keeps this run' : 'the pod is gone';
}

/** Returns the finished section of a log that fits in `share`, or undefined for a long one. */
async function readIfShort(
  context: SectionContext,
  source: LogSource,
  share: number,
): Promise<LogSection | undefined> {
  if (source.origin === 'captured') {
    const size = byteSize(context.redact(source.captured?.text ?? ''));
    return size <= share
      ? capturedSection(source, share, context.redact, capturedWhy(source))
      : undefined;
  }
  const target = {
    namespace: source.namespace,
    pod: source.pod,
    container: source.container,
    previous: source.previous,
  };
  const probe = await context.reader
    .readPodLog({ ...target, tailLines: ALL_LINES, limitBytes: share })
    .catch(() => undefined);
  // A failed or unavailable probe is read again in the second pass, which reports it.
  if (probe === undefined || 'unavailable' in probe || probe.truncated) return undefined;
  const text = context.redact(probe.text);
  if (byteSize(text) > share) return undefined;
  return {
    source,
    origin: 'live',
    text: text === '' || text.endsWith('\n') ? text : `${text}\n`,
    truncated: false,
    notes: [],
  };
}

async function readWithShare(
  context: SectionContext,
  source: LogSource,
  share: number,
): Promise<LogSection> {
  if (source.origin === 'captured')
    return capturedSection(source, share, context.redact, capturedWhy(source));
  return await liveSection(context, source, share);
}

function originNote(sections: LogSection[]): string[] {
  const live = sections.filter((s) => s.origin === 'live').length;
  return live === 0 ? [] : [`${live} of ${sections.length} logs were read live from the cluster.`];
}

function originLabel(section: LogSection): string {
  if (section.origin === 'live') return 'read live';
  if (section.origin === 'none') return 'no log';
  return 'captured when it failed';
}

/** Writes the combined file: a header, then one headed section per container run. */
function buildFile(job: V1Job, sections: LogSection[], maxBytes: number): LogFile {
  const name = job.metadata?.name ?? 'job';
  const namespace = job.metadata?.namespace ?? '';
  const live = sections.filter((s) => s.origin === 'live').length;
  const captured = sections.filter((s) => s.origin === 'captured').length;
  const truncated = sections.some((s) => s.truncated);
  const header = [
    `Logs of the failed attempts of Job ${namespace}/${name}`,
    `${sections.length} logs: ${live} read live, ` +
      `${captured} captured by jobwatch when the attempt failed.`,
    `Secrets are masked. The file is limited to ${formatBytes(maxBytes)}. ` +
      'A log over its share keeps its first lines and its end, ' +
      'and a line starting with "…" marks each cut.',
    '',
  ].join('\n');
  const body = sections
    .map((s) => `===== ${describeSource(s.source)} · ${originLabel(s)} =====\n${s.text}`)
    .join('\n');
  const content = `${header}\n${body}`;
  const cut = truncated ? ', cut to fit' : '';
  const title = `Logs of ${name}: ${sections.length} logs, ${live} read live, ${captured} captured${cut}`;
  return { name: `${name}-logs.txt`, title, content, bytes: byteSize(content), truncated };
}
