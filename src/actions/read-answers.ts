import type { V1Job } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { redactText, secretEnvNames } from '../diagnose/redact.ts';
import type { DiagnosisOptions } from '../diagnose/diagnose.ts';
import type { Diagnosis, Snapshot } from '../diagnose/types.ts';
import type { UserLogPattern } from '../diagnose/user-patterns.ts';
import type { ClusterReader } from '../episode/cluster-reader.ts';
import { enrichEpisode } from '../episode/enrich.ts';
import type { EpisodeStore } from '../episode/store.ts';
import { escapeMrkdwn } from '../slack/escape.ts';
import { inlineCode } from '../slack/mrkdwn.ts';
import { suggestNames } from '../slack/suggest-names.ts';
import type { ActionRecord } from './action-store.ts';
import { collectFullLogs } from './full-logs.ts';
import type { ReadAnswers } from './process-action.ts';

export interface ReadAnswerDeps {
  reader: ClusterReader;
  /** Lists Jobs in a namespace, or in every namespace the reader may see. */
  listJobs(namespace?: string): Promise<V1Job[]>;
  episodes: EpisodeStore;
  diagnose(snapshot: Snapshot, options?: DiagnosisOptions): Diagnosis;
  /** Log patterns from `JOBWATCH_LOG_PATTERNS_FILE`, passed to every diagnosis. Default none. */
  logPatterns?: readonly UserLogPattern[];
  logger: Logger;
  tailLines: number;
  limitBytes: number;
  maxLogBytes?: number;
}

/** Most Jobs listed by `/job list`. */
const LIST_LIMIT = 30;

function conditionOf(job: V1Job): string {
  const condition = job.status?.conditions?.find((c) => (c.type === 'Failed' || c.type === 'Complete' || c.type === 'Suspended') && c.status === 'True');
  if (condition) return condition.type === 'Failed' ? `failed (${condition.reason ?? 'no reason'})` : condition.type.toLowerCase();
  return (job.status?.active ?? 0) > 0 ? 'running' : 'pending';
}

/**
 * Replies to the read-only `/job` requests and collects full logs on the cluster side.
 * A Job that does not exist gets the nearest names in its namespace as suggestions.
 */
export function createReadAnswers(deps: ReadAnswerDeps): ReadAnswers {
  const find = async (namespace: string, name: string): Promise<V1Job | string> => {
    const job = await deps.reader.getJob(namespace, name);
    if (job) return job;
    const names = (await deps.listJobs(namespace).catch(() => [])).map((j) => j.metadata?.name ?? '').filter(Boolean);
    const near = suggestNames(name, names);
    const hint = near.length > 0 ? ` Did you mean ${near.map((n) => inlineCode(n)).join(', ')}?` : '';
    return `No Job ${inlineCode(name)} in namespace ${inlineCode(namespace)}.${hint}`;
  };

  return {
    async status(namespace, name) {
      const job = await find(namespace, name);
      if (typeof job === 'string') return job;
      const s = job.status ?? {};
      const pods = await deps.reader.listJobPods(namespace, job.metadata?.uid ?? '');
      const lines = [
        `*${inlineCode(`${namespace}/${name}`)}* is ${escapeMrkdwn(conditionOf(job))}`,
        `Pods: ${s.active ?? 0} active, ${s.succeeded ?? 0} succeeded, ${s.failed ?? 0} failed · backoffLimit ${job.spec?.backoffLimit ?? 6}${job.spec?.activeDeadlineSeconds ? ` · activeDeadlineSeconds ${job.spec.activeDeadlineSeconds}` : ''}`,
      ];
      const failed = job.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
      if (failed?.message) lines.push(`> ${escapeMrkdwn(failed.message)}`);
      for (const pod of pods.slice(-5)) lines.push(`• ${inlineCode(pod.metadata?.name ?? '?')} ${escapeMrkdwn(pod.status?.phase ?? 'Unknown')}`);
      return lines.join('\n');
    },

    async why(namespace, name) {
      const job = await find(namespace, name);
      if (typeof job === 'string') return job;
      const uid = job.metadata?.uid ?? '';
      const enriched = await enrichEpisode(
        { reader: deps.reader, logger: deps.logger, tailLines: deps.tailLines, limitBytes: deps.limitBytes },
        { namespace, name, uid },
        job,
        await deps.episodes.getEvidence(uid),
      );
      if (!enriched) return `Job ${inlineCode(`${namespace}/${name}`)} disappeared while it was read.`;
      const diagnosis = deps.diagnose(enriched.snapshot, { logPatterns: deps.logPatterns ?? [] });
      const evidence = diagnosis.evidence.slice(0, 4).map((quote) => `> ${inlineCode(quote.text, 300)}`);
      return [`*Cause* ${inlineCode(diagnosis.cause)} (${diagnosis.confidence} confidence)`, escapeMrkdwn(diagnosis.summary), ...evidence, `*Fix* ${escapeMrkdwn(diagnosis.fix)}`].join('\n');
    },

    async list(namespace, filter) {
      const jobs = await deps.listJobs(namespace);
      const chosen = jobs.filter((job) => {
        const state = conditionOf(job);
        if (filter === 'failing') return state.startsWith('failed') || (job.status?.failed ?? 0) > 0;
        if (filter === 'running') return state === 'running';
        return true;
      });
      if (chosen.length === 0) return `No ${filter === 'all' ? '' : `${filter} `}Jobs in ${namespace ? inlineCode(namespace) : 'any namespace'}.`;
      const lines = chosen.slice(0, LIST_LIMIT).map((job) => `• ${inlineCode(`${job.metadata?.namespace ?? ''}/${job.metadata?.name ?? ''}`)} ${escapeMrkdwn(conditionOf(job))}`);
      if (chosen.length > LIST_LIMIT) lines.push(`_${chosen.length - LIST_LIMIT} more not shown; narrow it with -n NAMESPACE_`);
      return lines.join('\n');
    },

    async logs(record: ActionRecord) {
      const stored = record.alertKey ? await deps.episodes.getJob(record.alertKey) : undefined;
      const job = stored ?? (await deps.reader.getJob(record.namespace, record.name ?? ''));
      if (!job) return undefined;
      const uid = job.metadata?.uid ?? '';
      const [pods, evidence] = await Promise.all([deps.reader.listJobPods(record.namespace, uid).catch(() => []), deps.episodes.getEvidence(uid)]);
      // Logs print Secret-filled env vars as NAME=value, and no generic pattern matches every NAME.
      const template = job.spec?.template.spec;
      const secrets = [...new Set([...(template ? secretEnvNames(template) : []), ...pods.flatMap((pod) => secretEnvNames(pod))])];
      const collected = await collectFullLogs({
        reader: deps.reader,
        job,
        pods,
        evidence,
        ...(deps.maxLogBytes ? { maxBytes: deps.maxLogBytes } : {}),
        redact: (text) => redactText(text, { secretEnvNames: secrets }),
        logger: deps.logger,
      });
      const file = collected.files[0];
      if (!file) return { content: '', notes: collected.notes.length > 0 ? collected.notes : ['No failed attempt left a log.'] };
      return { content: file.content, notes: collected.notes };
    },
  };
}
