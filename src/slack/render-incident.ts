/**
 * The root message of a CronJob incident: how many recent runs failed, the run history,
 * and the last cause. Each run's episode is posted as a reply under it.
 */
import type { IncidentView } from './alert-view.ts';
import type { Block, SlackMessage } from './block-kit.ts';
import { context, header, LIMITS, section } from './block-kit.ts';
import { escapeMrkdwn, truncate } from './escape.ts';
import { describeIncident } from './incident-content.ts';
import { bold, inlineCode } from './mrkdwn.ts';

/** Character budget of each part of an incident. With the header they sum to 3,350. */
export const INCIDENT_BUDGET = {
  history: 500,
  cause: 1200,
  runs: 1000,
  context: 500,
} as const;

/** Renders the root message of a CronJob incident: its header line as `text`, and the blocks. */
export function renderIncident(view: IncidentView): SlackMessage {
  const content = describeIncident(view);
  const headline = truncate(escapeMrkdwn(content.headline), LIMITS.headerText);
  const earlier = content.hiddenRuns > 0 ? ` (${content.hiddenRuns} earlier not shown)` : '';
  const blocks: Block[] = [
    header(headline),
    section(
      `${bold('Runs')}, oldest first${earlier}\n${content.history || 'none yet'}`,
      INCIDENT_BUDGET.history,
    ),
  ];
  if (content.lastCause !== undefined) {
    const summary =
      content.lastSummary === undefined ? '' : `\n${escapeMrkdwn(content.lastSummary)}`;
    blocks.push(
      section(
        `${bold('Last cause')} ${inlineCode(content.lastCause)}${summary}`,
        INCIDENT_BUDGET.cause,
      ),
    );
  }
  if (content.recentRuns.length > 0) {
    const lines = content.recentRuns.map((run) => `${run.emoji} ${inlineCode(run.jobName, 150)}`);
    blocks.push(section([bold('Latest runs'), ...lines].join('\n'), INCIDENT_BUDGET.runs));
  }
  if (content.cluster !== undefined) {
    blocks.push(context([`cluster ${inlineCode(content.cluster, 150)}`], INCIDENT_BUDGET.context));
  }
  return { text: headline, blocks };
}
