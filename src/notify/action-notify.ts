import type { Logger } from 'pino';
import type { ActionStore } from '../actions/action-store.ts';
import type { NotifyRequest } from '../episode/process-signal.ts';
import type { EpisodeStore } from '../episode/store.ts';
import { renderConfirmation, renderLogTail, renderOutcomeNote, renderResult, renderThreadNote, type ActionMessage } from '../slack/render-action.ts';
import type { NotifyOutcome } from './process-notify.ts';

/** The Slack calls that show actions; implemented over the Web API in `src/slack/action-slack.ts`. */
export interface ActionSlack {
  postInThread(channel: string, threadTs: string, message: ActionMessage): Promise<void>;
  /** Posts to a response URL; `replaceOriginal` replaces the ephemeral message that held the buttons. */
  respond(responseUrl: string, message: ActionMessage, replaceOriginal: boolean): Promise<void>;
  postEphemeral(channel: string, userId: string, message: ActionMessage, threadTs?: string): Promise<void>;
  uploadFile(request: { channel: string; threadTs?: string; filename: string; title: string; content: string; comment: string }): Promise<void>;
}

export interface ActionNotifyDeps {
  actions: ActionStore;
  episodes: EpisodeStore;
  slack: ActionSlack;
  logger: Logger;
}

/** Kinds whose outcome is recorded in the alert's thread, for everyone to see. */
const RECORDED = new Set(['retry', 'raise-limits', 'logs']);

/**
 * Shows an action's new stage: a confirmation or a result to the acting user, and for
 * changes and files a record in the alert's thread. Each part is marked in Redis once
 * sent, so only a crash between a send and its mark sends it twice.
 */
export async function notifyAction(deps: ActionNotifyDeps, request: Extract<NotifyRequest, { kind: 'action' | 'action-outcome' }>): Promise<NotifyOutcome> {
  if (request.kind === 'action-outcome') return await notifyOutcome(deps, request);
  const record = await deps.actions.get(request.id);
  if (!record || record.stage !== request.stage) return 'skipped';
  const reply = record.reply;
  const toUser = async (message: ActionMessage, replaceOriginal: boolean): Promise<void> => {
    if (reply.responseUrl) {
      try {
        await deps.slack.respond(reply.responseUrl, message, replaceOriginal);
        return;
      } catch (err) {
        // Response URLs expire after 30 minutes and 5 uses; an ephemeral message still reaches the user.
        deps.logger.warn({ err, action: record.id }, 'response URL failed; sending an ephemeral message');
      }
    }
    await deps.slack.postEphemeral(reply.channel, reply.userId, message, reply.threadTs);
  };

  if (record.stage === 'planned') {
    await once(deps, record.id, 'planned', () => toUser(renderConfirmation(record), false));
    return 'posted';
  }
  if (record.stage === 'done' && record.kind === 'logs' && record.fileKey) {
    const content = await deps.actions.getFile(record.fileKey);
    if (content === undefined) return 'skipped';
    if (!reply.threadTs) {
      // A command can come from any channel, where a file would be public. The user alone
      // gets the end of the logs instead, where the error usually is.
      await once(deps, record.id, 'file', () => toUser(renderLogTail(record, content), false));
      return 'posted';
    }
    await once(deps, record.id, 'file', () =>
      deps.slack.uploadFile({
        channel: reply.channel,
        ...(reply.threadTs ? { threadTs: reply.threadTs } : {}),
        filename: `${record.name ?? 'job'}-logs.txt`,
        title: `Logs of ${record.namespace}/${record.name ?? ''}`,
        content,
        comment: renderThreadNote(record).text,
      }),
    );
    return 'posted';
  }
  // The stored response URL belongs to the first click, on the alert itself. The reply
  // never replaces the original message, because that message is the alert.
  await once(deps, record.id, `result.${record.stage}`, () => toUser(renderResult(record), false));
  const threadTs = reply.threadTs;
  if (RECORDED.has(record.kind) && threadTs) {
    await once(deps, record.id, `thread.${record.stage}`, () => deps.slack.postInThread(reply.channel, threadTs, renderThreadNote(record)));
  }
  return 'posted';
}

async function notifyOutcome(deps: ActionNotifyDeps, request: Extract<NotifyRequest, { kind: 'action-outcome' }>): Promise<NotifyOutcome> {
  const record = await deps.actions.get(request.id);
  if (!record?.reply.threadTs) return 'skipped';
  const threadTs = record.reply.threadTs;
  // The action record was last updated when the Job was created, so this is its run time.
  const took = request.completedAt ? Date.parse(request.completedAt) - Date.parse(record.updatedAt) : NaN;
  const detail = request.detail ?? (Number.isFinite(took) && took >= 0 ? `in ${formatDuration(took)}` : undefined);
  await once(deps, record.id, `outcome.${request.jobUid}`, () =>
    deps.slack.postInThread(record.reply.channel, threadTs, renderOutcomeNote(request.jobName, request.outcome, detail)),
  );
  return 'posted';
}

/** Formats milliseconds as `2m 10s`, `45s` or `1h 5m`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

/**
 * Sends one part of an action's messages unless it was sent before. The mark is set
 * after the send, so the queue retries a failed send. The notifier's lock on the action
 * keeps two notifiers from sending the same part at once.
 */
async function once(deps: ActionNotifyDeps, id: string, part: string, send: () => Promise<void>): Promise<void> {
  if (await deps.actions.isMarked(id, `notify.${part}`)) return;
  await send();
  await deps.actions.claim(id, `notify.${part}`);
}
