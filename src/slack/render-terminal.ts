/**
 * The content of an alert or incident as plain text for a terminal: what jobwatch prints
 * when no Slack token is set, and what the demo shows. It starts from the same content as
 * the Slack renderers, so the header, cause, evidence and fix lines read the same. Text is
 * sanitized, which matters more here than in Slack: a log line must not drive the terminal.
 */
import type { AlertContent, Fact } from './alert-content.ts';
import { attemptOutcome, attemptRunTime, describeAlert } from './alert-content.ts';
import type { AlertView, AttemptView, IncidentView } from './alert-view.ts';
import { attemptHeading } from './attempt-title.ts';
import { cleanText, truncate } from './escape.ts';
import { formatUtc, plural } from './format.ts';
import { describeIncident } from './incident-content.ts';
import { ALERT_BUDGET } from './render-alert.ts';
import { ATTEMPT_BUDGET } from './render-attempt.ts';

/** Kind of view: the root message of one Job's episode, or a CronJob incident. */
export type TerminalKind = 'alert' | 'incident';

/**
 * Renders an alert (with its attempt replies, indented as a thread) or a CronJob incident
 * as lines of plain text, ending without a newline.
 */
export function renderTerminal(view: AlertView, kind: 'alert'): string;
export function renderTerminal(view: IncidentView, kind: 'incident'): string;
export function renderTerminal(view: AlertView | IncidentView, kind: TerminalKind): string {
  if (kind === 'incident') {
    return incidentLines(view as IncidentView).join('\n');
  }
  return alertLines(view as AlertView).join('\n');
}

function alertLines(view: AlertView): string[] {
  const content = describeAlert(view);
  if (content.compact) {
    return [
      content.headline,
      `Earlier attempts failed with ${content.cause}: ${cap(content.summary, ALERT_BUDGET.cause)}`,
      contextLine(content.context),
    ];
  }
  const lines = [content.headline, ...causeLines(content), ...evidenceLines(content)];
  lines.push(`Fix: ${cap(content.fix, ALERT_BUDGET.fix)}`, ...timelineLines(content));
  lines.push(`Job: ${content.params.map((fact) => `${fact.label} ${fact.value}`).join(' · ')}`);
  lines.push(contextLine(content.context));
  if (view.attempts.length > 0) {
    const replies = view.attempts
      .slice(-ALERT_BUDGET.timelineAttempts)
      .map((attempt) => attemptLines(view, attempt));
    lines.push('', 'Thread:', ...replies.flatMap((reply, i) => (i === 0 ? reply : ['', ...reply])));
  }
  return lines;
}

function causeLines(content: AlertContent): string[] {
  const confidence = content.confidence === 'high' ? '' : ` (${content.confidence} confidence)`;
  const secondary = content.secondary.length > 0 ? ` · also ${content.secondary.join(', ')}` : '';
  return [
    `Cause: ${content.cause}${confidence}${secondary}`,
    cap(content.summary, ALERT_BUDGET.cause),
  ];
}

function evidenceLines(content: AlertContent): string[] {
  if (content.evidence.length === 0) {
    return [];
  }
  const shown = content.evidence.slice(0, ALERT_BUDGET.quotes);
  const lines = ['Evidence:'];
  for (const quote of shown) {
    const object = quote.object === undefined ? '' : ` ${cap(quote.object, 120)}`;
    lines.push(
      `  > ${quote.source.padEnd(6)}${object}  ${oneLine(cap(quote.text, ALERT_BUDGET.quote))}`,
    );
  }
  const hidden = content.evidence.length - shown.length;
  if (hidden > 0) {
    lines.push(`  (${hidden} more ${hidden === 1 ? 'quote' : 'quotes'} not shown)`);
  }
  return lines;
}

function timelineLines(content: AlertContent): string[] {
  if (content.attempts.length === 0) {
    return [];
  }
  const shown = content.attempts.slice(-ALERT_BUDGET.timelineAttempts);
  const hidden = content.attempts.length - shown.length;
  const lines = ['Attempts:'];
  if (hidden > 0) {
    lines.push(`  (${plural(hidden, 'earlier attempt')} not shown)`);
  }
  for (const attempt of shown) {
    const index = attempt.index === undefined ? '' : ` index ${attempt.index}`;
    const ran = attempt.ran === undefined ? '' : ` · ran ${attempt.ran}`;
    const outcome = attemptOutcome(attempt, (reason) => cap(reason, 60));
    lines.push(`  #${attempt.number}${index} · ${outcome}${ran} · ${cap(attempt.pod, 60)}`);
  }
  return lines;
}

function contextLine(facts: Fact[]): string {
  return facts.map((fact) => `${fact.label} ${cap(fact.value, 150)}`).join(' · ');
}

/** Writes the thread reply of one attempt, indented. */
function attemptLines(view: AlertView, attempt: AttemptView): string[] {
  const container =
    attempt.container === undefined ? '' : `, container ${cap(cleanText(attempt.container), 100)}`;
  const node =
    attempt.node === undefined ? ', node unknown' : ` on node ${cap(cleanText(attempt.node), 300)}`;
  const lines = [
    `  ${attemptHeading(view.params, attempt)} · ${attemptOutcome(attempt)}`,
    `  Pod ${cap(cleanText(attempt.pod), 300)}${container}${node}`,
  ];
  const ran = attemptRunTime(attempt);
  const started = formatUtc(attempt.startedAt);
  if (ran !== undefined || started !== undefined) {
    lines.push(
      `  ${[ran && `Ran ${ran}`, started && `started ${started}`].filter(Boolean).join(', ')}`,
    );
  }
  if (attempt.message !== undefined && attempt.message.trim() !== '') {
    lines.push(`  > ${oneLine(cap(cleanText(attempt.message), 700))}`);
  }
  lines.push(...logLines(attempt.logExcerpt));
  return lines;
}

function logLines(excerpt: string | undefined): string[] {
  if (excerpt === undefined || excerpt.trim() === '') {
    return ['  (no log lines were captured for this attempt)'];
  }
  const text = cap(cleanText(excerpt).replace(/\n+$/, ''), ATTEMPT_BUDGET.log);
  const lines = text.split('\n');
  const kept = lines.slice(0, ATTEMPT_BUDGET.logLines).map((line) => `  | ${line}`);
  const hidden = lines.length - ATTEMPT_BUDGET.logLines;
  return hidden > 0 ? [...kept, `  | … (${hidden} more lines)`] : kept;
}

function incidentLines(view: IncidentView): string[] {
  const content = describeIncident(view);
  const earlier = content.hiddenRuns > 0 ? ` (${content.hiddenRuns} earlier not shown)` : '';
  const lines = [
    content.headline,
    `Runs, oldest first${earlier}: ${content.history || 'none yet'}`,
  ];
  if (content.lastCause !== undefined) {
    lines.push(`Last cause: ${content.lastCause}`);
    if (content.lastSummary !== undefined) {
      lines.push(cap(content.lastSummary, 1000));
    }
  }
  if (content.recentRuns.length > 0) {
    lines.push(
      'Latest runs:',
      ...content.recentRuns.map((run) => `  ${run.emoji} ${cap(run.jobName, 150)}`),
    );
  }
  if (content.cluster !== undefined) {
    lines.push(`cluster ${cap(content.cluster, 150)}`);
  }
  return lines;
}

function cap(text: string, maxChars: number): string {
  return truncate(text, maxChars);
}

function oneLine(text: string): string {
  return text.replace(/\r?\n/g, ' ↵ ');
}
