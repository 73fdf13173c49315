import type { V1ContainerStateTerminated } from '@kubernetes/client-node';
import type { ContainerView, DiagnosisContext } from './context.ts';
import { readLog } from './decisive-lines.ts';
import type { LogReading } from './decisive-lines.ts';
import { logQuote, quote } from './evidence.ts';
import { classifyLog } from './log-patterns.ts';
import type { LogMatch } from './log-patterns.ts';
import type { EvidenceQuote } from './types.ts';

/** The log of one container run, read for the diagnosis. */
export interface ContainerLogReading {
  reading: LogReading;
  match: LogMatch | undefined;
  /** The decisive lines as a log quote; undefined when the run printed nothing. */
  quote: EvidenceQuote | undefined;
  /** True when the log is missing or empty. */
  empty: boolean;
}

/**
 * Reads the log of one container run: the captured log, or the termination
 * message when no log was captured (`terminationMessagePolicy:
 * FallbackToLogsOnError` puts the log tail there).
 */
export function readContainerLog(
  ctx: DiagnosisContext,
  view: ContainerView,
  previous: boolean,
  terminated?: V1ContainerStateTerminated,
): ContainerLogReading {
  const captured = ctx.logFor(view.podName, view.name, previous)?.text ?? '';
  const text = captured.trim() !== '' ? captured : (terminated?.message ?? '');
  const reading = readLog(text);
  if (reading.lines.length === 0) {
    return { reading, match: undefined, quote: undefined, empty: true };
  }
  const match = reading.fromErrors ? classifyLog(reading.lines, text) : undefined;
  const focus = match?.matched ?? [];
  return { reading, match, quote: logQuote(view, reading.lines, previous, focus), empty: false };
}

const HOST_SETTING = /(HOST|HOSTNAME|ADDR|ADDRESS|URL|URI|DSN|ENDPOINT|SERVER|BROKERS?)$/i;

/**
 * Quotes the container's plain-value environment settings that name a host
 * (`DB_HOST`, `REDIS_URL`, …) when the log line does not name one itself, so
 * that a reader sees which dependency the program tried to reach.
 */
export function hostSettingQuotes(view: ContainerView, logLine: string): EvidenceQuote[] {
  const quotes: EvidenceQuote[] = [];
  for (const env of view.spec?.env ?? []) {
    if (env.value === undefined || env.value === '' || !HOST_SETTING.test(env.name)) continue;
    if (logLine.includes(env.value)) return [];
    quotes.push(quote('spec', `env ${env.name}=${env.value}`, `pod/${view.podName} container ${view.name}`));
  }
  return quotes.slice(0, 3);
}
