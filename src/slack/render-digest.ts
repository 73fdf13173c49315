/**
 * The digest of a failure storm: one root message for the Jobs of one channel that failed
 * for one cause at about the same time, and list replies in its thread that name every
 * Job. Every part has a character budget, so no number of Jobs gives a message Slack
 * rejects.
 */
import type { CauseId } from '../diagnose/types.ts';
import { DEFAULT_CLUSTER } from '../queue/cluster-names.ts';
import type { EpisodeState } from './alert-view.ts';
import type { Block, SlackMessage } from './block-kit.ts';
import { context, header, LIMITS, section } from './block-kit.ts';
import { cleanText, escapeMrkdwn, truncate } from './escape.ts';
import { plural } from './format.ts';
import { STATE_EMOJI } from './headline.ts';
import { bold, inlineCode } from './mrkdwn.ts';

/** One Job as a digest lists it. */
export interface DigestMemberView {
  /** Cluster of the Job, absent for the default cluster. */
  cluster?: string;
  namespace: string;
  jobName: string;
  state: EpisodeState;
  reason: string | null;
  /** True when the Job also has a root alert of its own in the channel. */
  ownMessage: boolean;
  /** The new cause of a Job that left the digest for an alert of its own. */
  movedTo?: CauseId;
}

/** Everything the digest renderers need. */
export interface DigestView {
  key: string;
  cause: CauseId;
  summary: string;
  /** In the order they joined. */
  members: DigestMemberView[];
  /** The slash command as configured, such as `/job`, for the per-Job hint. */
  command: string;
}

/**
 * Character budgets. A member line is at most 2 × 70 for the names, 70 for the reason and
 * 62 for the state, under 300 with the markup. A line that names its cluster gives 40 to
 * the cluster and 55 each to namespace and name, so it stays under 300 too. Therefore
 * {@link DIGEST_BUDGET.linesPerSection} lines stay under 3,000 per section. The root has a header (150), a summary (600), two
 * list sections (2 × 3,000), the note of the rest (200) and the hint (300): about 7,800
 * with the overhead of six blocks, under {@link LIMITS.totalText}. A list reply of three
 * sections stays under 9,400.
 */
export const DIGEST_BUDGET = {
  summary: 600,
  name: 70,
  /** Cluster name in a line that shows clusters. */
  cluster: 40,
  /** Namespace and Job name, each, in a line that shows clusters. */
  nameWithCluster: 55,
  reason: 70,
  linesPerSection: 10,
  /** Jobs listed in the root message, first joined first. */
  rootMembers: 20,
  /** Jobs listed in each thread reply. */
  membersPerList: 30,
} as const;

const FAILING: ReadonlySet<EpisodeState> = new Set(['failing', 'stuck', 'failed']);

/** Renders the digest's root message. */
export function renderDigest(view: DigestView): SlackMessage {
  const title = truncate(cleanText(digestHeadline(view)), LIMITS.headerText);
  const summary = `${bold('Cause')} ${inlineCode(view.cause)}\n${escapeMrkdwn(cleanText(view.summary))}`;
  const blocks: Block[] = [header(title), section(summary, DIGEST_BUDGET.summary)];
  const listed = view.members.slice(0, DIGEST_BUDGET.rootMembers);
  const withCluster = showsClusters(view);
  blocks.push(...listSections(listed, withCluster));
  const hidden = view.members.length - listed.length;
  if (hidden > 0) {
    blocks.push(context([`and ${plural(hidden, 'more Job')}; the thread lists every Job`], 200));
  }
  blocks.push(context([hintText(view.command, withCluster)], 300));
  return { text: title, blocks };
}

/** Counts the list replies the digest's thread needs for all its members. */
export function digestListCount(view: DigestView): number {
  return Math.ceil(view.members.length / DIGEST_BUDGET.membersPerList);
}

/** Renders list reply number `index` (from 0) of the digest's thread. */
export function renderDigestList(view: DigestView, index: number): SlackMessage {
  const first = index * DIGEST_BUDGET.membersPerList;
  const members = view.members.slice(first, first + DIGEST_BUDGET.membersPerList);
  const last = first + members.length;
  const title = `Jobs ${first + 1} to ${last} of ${view.members.length} in this digest`;
  const sections = listSections(members, showsClusters(view), first);
  return { text: title, blocks: [section(bold(title)), ...sections] };
}

/**
 * Tells whether the lines name each Job's cluster: when a member is in a named cluster, or
 * the members come from more than one cluster. The same namespace and name can then belong
 * to two different Jobs. A digest of the default cluster alone keeps the shorter lines.
 */
export function showsClusters(view: DigestView): boolean {
  const clusters = new Set(view.members.map((m) => m.cluster ?? DEFAULT_CLUSTER));
  return clusters.size > 1 || (clusters.size === 1 && !clusters.has(DEFAULT_CLUSTER));
}

/**
 * Builds the sanitized, unescaped headline, such as
 * `🔴 23 Jobs failed: image-pull — registry.example.com rate limit`.
 */
export function digestHeadline(view: DigestView): string {
  const failing = view.members.filter((m) => m.movedTo === undefined && FAILING.has(m.state)).length;
  const summary = view.summary === '' ? '' : ` — ${view.summary}`;
  if (failing === 0) {
    const all = plural(view.members.length, 'Job');
    return `🟢 ${all} failed with ${view.cause}; none is failing now${summary}`;
  }
  return `🔴 ${plural(failing, 'Job')} failed: ${view.cause}${summary}`;
}

function listSections(members: DigestMemberView[], withCluster: boolean, offset = 0): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < members.length; i += DIGEST_BUDGET.linesPerSection) {
    const slice = members.slice(i, i + DIGEST_BUDGET.linesPerSection);
    const lines = slice.map((m, j) => memberLine(m, offset + i + j + 1, withCluster));
    blocks.push(section(lines.join('\n')));
  }
  return blocks;
}

function memberLine(member: DigestMemberView, number: number, withCluster: boolean): string {
  const name = withCluster ? clusterJobName(member) : jobName(member, DIGEST_BUDGET.name);
  const reason = member.reason === null ? '' : ` · ${escapeMrkdwn(truncate(cleanText(member.reason), DIGEST_BUDGET.reason))}`;
  return `${number}. ${STATE_EMOJI[member.state]} ${name}${reason} · ${stateNote(member)}`;
}

/** Renders `namespace`/`name`, each part cut to `maxChars`. */
function jobName(member: DigestMemberView, maxChars: number): string {
  const namespace = inlineCode(cleanText(member.namespace), maxChars);
  return `${namespace}/${inlineCode(cleanText(member.jobName), maxChars)}`;
}

/** Renders `cluster`/`namespace`/`name`, the order of the parts from widest to narrowest. */
function clusterJobName(member: DigestMemberView): string {
  const cluster = inlineCode(cleanText(member.cluster ?? DEFAULT_CLUSTER), DIGEST_BUDGET.cluster);
  return `${cluster}/${jobName(member, DIGEST_BUDGET.nameWithCluster)}`;
}

function stateNote(member: DigestMemberView): string {
  if (member.movedTo !== undefined) return `now ${inlineCode(member.movedTo, 40)}, in its own alert`;
  const own = member.ownMessage ? ', own alert above' : '';
  return `${member.state}${own}`;
}

function hintText(command: string, withCluster: boolean): string {
  const cluster = withCluster ? ' --cluster CLUSTER' : '';
  const statusCommand = inlineCode(`${command} status NAME -n NAMESPACE${cluster}`);
  return `One Job's evidence, attempts and actions: ${statusCommand}. Each Job keeps its own episode; only this message groups them.`;
}
