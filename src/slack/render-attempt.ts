/**
 * One thread reply per failed attempt: which pod on which node, how long it ran, how it
 * ended, and the decisive log lines in a code block.
 */
import type { AlertView, AttemptView } from './alert-view.ts';
import type { Block, SlackMessage } from './block-kit.ts';
import { context, LIMITS, section } from './block-kit.ts';
import { attemptOutcome, attemptRunTime, timeFact } from './alert-content.ts';
import { attemptHeading } from './attempt-title.ts';
import { cleanText, escapeMrkdwn, truncate } from './escape.ts';
import { bold, codeBlock, inlineCode, slackDate } from './mrkdwn.ts';

/** Character and line budget of an attempt reply. The two sections sum to 4,500. */
export const ATTEMPT_BUDGET = {
  details: 1500,
  /** The log section, label and fences included. */
  log: LIMITS.sectionText,
  /** Maximum log lines shown: the decisive few, not the tail. */
  logLines: 40,
  /** The `text` fallback. */
  text: 300,
} as const;

const LOG_LABEL = `${bold('Log')}\n`;

/**
 * Renders the thread reply for one attempt of the alert's Job: a one-line `text` for
 * notifications, and the blocks.
 */
export function renderAttemptReply(view: AlertView, attempt: AttemptView): SlackMessage {
  const outcome = attemptOutcome(attempt);
  const job = cleanText(`${view.namespace}/${view.jobName}`);
  const text = truncate(
    escapeMrkdwn(`${attemptHeading(view.params, attempt)} of ${job}: ${outcome}`),
    ATTEMPT_BUDGET.text,
  );
  const blocks: Block[] = [section(detailsText(view, attempt), ATTEMPT_BUDGET.details)];
  if (attempt.logExcerpt !== undefined && attempt.logExcerpt.trim() !== '') {
    const room = ATTEMPT_BUDGET.log - LOG_LABEL.length;
    const log = codeBlock(cleanText(attempt.logExcerpt), room, ATTEMPT_BUDGET.logLines);
    blocks.push(section(`${LOG_LABEL}${log}`, ATTEMPT_BUDGET.log));
  } else {
    blocks.push(context(['No log lines were captured for this attempt.'], 200));
  }
  return { text, blocks };
}

function detailsText(view: AlertView, attempt: AttemptView): string {
  const outcome = attemptOutcome(attempt, (reason) => inlineCode(reason, 100));
  const lines = [`${bold(attemptHeading(view.params, attempt))} · ${outcome}`];
  lines.push(placeLine(attempt));
  const ran = runLine(attempt);
  if (ran !== undefined) {
    lines.push(ran);
  }
  if (attempt.message !== undefined && attempt.message.trim() !== '') {
    lines.push(`>${inlineCode(cleanText(attempt.message), 700)}`);
  }
  return lines.join('\n');
}

function placeLine(attempt: AttemptView): string {
  const container =
    attempt.container === undefined
      ? ''
      : `, container ${inlineCode(cleanText(attempt.container), 100)}`;
  const node =
    attempt.node === undefined
      ? ', node unknown'
      : ` on node ${inlineCode(cleanText(attempt.node), 300)}`;
  return `Pod ${inlineCode(cleanText(attempt.pod), 300)}${container}${node}`;
}

function runLine(attempt: AttemptView): string | undefined {
  const ran = attemptRunTime(attempt);
  const started = timeFact('started', attempt.startedAt)[0];
  if (started?.epochSeconds === undefined) {
    return ran === undefined ? undefined : `Ran ${ran}`;
  }
  const from = slackDate(started.epochSeconds, started.value);
  return ran === undefined ? `Started ${from}` : `Ran ${ran}, started ${from}`;
}
