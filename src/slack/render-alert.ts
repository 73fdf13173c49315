/**
 * The living root message of one failure episode, as Block Kit. Every piece has a fixed
 * character budget, and the budgets add up to less than {@link LIMITS.totalText}, so no
 * view, however large its logs or evidence, gives a message Slack rejects.
 */
import type { AlertContent, AttemptLine, EvidenceLine, Fact } from './alert-content.ts';
import { attemptOutcome, describeAlert } from './alert-content.ts';
import { alertActionBlocks } from './alert-actions.ts';
import type { AlertView } from './alert-view.ts';
import type { Block, SlackMessage } from './block-kit.ts';
import { context, fieldsSection, header, LIMITS, section } from './block-kit.ts';
import { escapeMrkdwn, truncate } from './escape.ts';
import { bold, inlineCode, slackDate } from './mrkdwn.ts';

/**
 * Character budget of each part of an alert. Their sum, with the header, is 10,550
 * (150 + 1,000 + 2,600 + 1,000 + 1,800 + 10 × 200 + 10 × 200), and with the overhead of
 * seven blocks 11,250. The acknowledgement and mute notes (2 × 150) and the buttons
 * (under 160 characters) add two blocks, 660 in all, so the total of 11,910 stays under
 * {@link LIMITS.totalText}.
 */
export const ALERT_BUDGET = {
  cause: 1000,
  evidence: 2600,
  /** Maximum quotes shown; the rest are counted in a note. */
  quotes: 10,
  quote: 400,
  fix: 1000,
  timeline: 1800,
  /** Maximum attempts in the timeline, newest kept. */
  timelineAttempts: 10,
  field: 200,
  contextElement: 200,
} as const;

/** Renders the root message of an alert: its header line as `text`, and the blocks. */
export function renderAlert(view: AlertView): SlackMessage {
  const content = describeAlert(view);
  const headline = truncate(escapeMrkdwn(content.headline), LIMITS.headerText);
  const body = content.compact ? compactBody(content) : fullBody(content);
  return { text: headline, blocks: [header(headline), ...body, ...alertActionBlocks(view)] };
}

function fullBody(content: AlertContent): Block[] {
  const blocks: Block[] = [section(causeText(content), ALERT_BUDGET.cause)];
  if (content.evidence.length > 0) {
    blocks.push(section(evidenceText(content.evidence), ALERT_BUDGET.evidence));
  }
  blocks.push(section(`${bold('Fix')} ${escapeMrkdwn(content.fix)}`, ALERT_BUDGET.fix));
  if (content.attempts.length > 0) {
    blocks.push(section(timelineText(content.attempts), ALERT_BUDGET.timeline));
  }
  blocks.push(fieldsSection(content.params.map(fieldText), ALERT_BUDGET.field));
  return [...blocks, ...contextBlocks(content.context)];
}

/** Builds the body of a recovered Job: one line of what had gone wrong, and the context. */
function compactBody(content: AlertContent): Block[] {
  const cause = inlineCode(content.cause);
  const line = `Earlier attempts failed with ${cause}: ${escapeMrkdwn(content.summary)}`;
  return [section(line, ALERT_BUDGET.cause), ...contextBlocks(content.context)];
}

function causeText(content: AlertContent): string {
  const confidence = content.confidence === 'high' ? '' : ` (${content.confidence} confidence)`;
  const secondary =
    content.secondary.length > 0
      ? ` · also ${content.secondary.map((id) => inlineCode(id)).join(', ')}`
      : '';
  const title = `${bold('Cause')} ${inlineCode(content.cause)}${confidence}${secondary}`;
  return `${title}\n${escapeMrkdwn(content.summary)}`;
}

/**
 * Quotes the evidence, each line with its source, until the count or character budget is
 * spent. A closing note counts the quotes left out.
 */
export function evidenceText(evidence: EvidenceLine[]): string {
  const title = bold('Evidence');
  // Room for the longest possible note, so that adding it never breaks the budget.
  const noteRoom = `\n_${evidence.length} more quotes not shown_`.length;
  let text = title;
  let shown = 0;
  for (const quote of evidence.slice(0, ALERT_BUDGET.quotes)) {
    const line = `\n>${quoteLine(quote)}`;
    if (text.length + line.length + noteRoom > ALERT_BUDGET.evidence) {
      break;
    }
    text += line;
    shown += 1;
  }
  const hidden = evidence.length - shown;
  return hidden > 0
    ? `${text}\n_${hidden} more ${hidden === 1 ? 'quote' : 'quotes'} not shown_`
    : text;
}

function quoteLine(quote: EvidenceLine): string {
  const object = quote.object === undefined ? '' : ` ${inlineCode(quote.object, 120)}`;
  return `_${quote.source}_${object} ${inlineCode(quote.text, ALERT_BUDGET.quote)}`;
}

/** Lists the newest attempts, one line each, oldest first. */
export function timelineText(attempts: AttemptLine[]): string {
  const shown = attempts.slice(-ALERT_BUDGET.timelineAttempts);
  const hidden = attempts.length - shown.length;
  const lines = [bold('Attempts')];
  if (hidden > 0) {
    lines.push(`_${hidden} earlier ${hidden === 1 ? 'attempt' : 'attempts'} not shown_`);
  }
  for (const attempt of shown) {
    lines.push(attemptLine(attempt));
  }
  return lines.join('\n');
}

// Outcome and pod are capped at 60 characters each, so ten lines stay under about 1,700
// characters and the newest attempts, listed last, fit the timeline budget.
function attemptLine(attempt: AttemptLine): string {
  const index = attempt.index === undefined ? '' : ` index ${attempt.index}`;
  const ran = attempt.ran === undefined ? '' : ` · ran ${attempt.ran}`;
  const outcome = attemptOutcome(attempt, (reason) => inlineCode(reason, 60));
  return `#${attempt.number}${index} · ${outcome}${ran} · ${inlineCode(attempt.pod, 60)}`;
}

function fieldText(fact: Fact): string {
  return `${bold(fact.label)}\n${escapeMrkdwn(fact.value)}`;
}

function contextBlocks(facts: Fact[]): Block[] {
  return facts.length === 0 ? [] : [context(facts.map(contextText), ALERT_BUDGET.contextElement)];
}

/** Writes one context fact: names as inline code, times as Slack dates. */
export function contextText(fact: Fact): string {
  if (fact.epochSeconds !== undefined) {
    return `${fact.label} ${slackDate(fact.epochSeconds, fact.value)}`;
  }
  const value = fact.fromCluster === true ? inlineCode(fact.value, 150) : escapeMrkdwn(fact.value);
  return `${fact.label} ${value}`;
}
