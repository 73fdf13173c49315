import type { V1Pod } from '@kubernetes/client-node';
import { buildContext, toMillis } from './context.ts';
import type { DiagnosisContext } from './context.ts';
import { controllerFinding } from './controller-rules.ts';
import { cronJobFinding, withCronJobFinding } from './cronjob-rules.ts';
import { conditionQuote, dedupeQuotes } from './evidence.ts';
import type { Finding } from './finding.ts';
import { gonePodFindings } from './gone-pod-rules.ts';
import { podFinding } from './pod-rules.ts';
import { countedRuleQuote, ignoredPods, policyFinding } from './policy-rules.ts';
import { rankFindings } from './rank.ts';
import type { Ranking } from './rank.ts';
import { redactText } from './redact.ts';
import type { Diagnosis, EvidenceQuote, Snapshot } from './types.ts';
import { unknownFinding } from './unknown.ts';
import type { UserLogPattern } from './user-patterns.ts';

/** Settings of one diagnosis that come from jobwatch's configuration, not the cluster. */
export interface DiagnosisOptions {
  /**
   * Log patterns from `JOBWATCH_LOG_PATTERNS_FILE`, in file order. A match on a decisive
   * line of the blamed container outranks the built-in log families. Default none.
   */
  logPatterns?: readonly UserLogPattern[];
}

/** Most evidence quotes kept, the strongest first. */
const MAX_EVIDENCE = 12;

/**
 * Names the cause of a failed (or stuck) Job from a snapshot of the Job, its
 * pods, events, nodes, other objects and logs, with the evidence quoted as
 * the cluster and the program wrote it. The result is a pure function of the
 * snapshot and `options`: the same input always gives the same text. Secrets
 * in quoted text are masked (see `redactText`).
 *
 * `reason` is the reason of the Job's `Failed` condition, or of its
 * `FailureTarget` condition while the controller is still stopping pods
 * (both carry the same reason), else null.
 */
export function diagnose(snapshot: Snapshot, options: DiagnosisOptions = {}): Diagnosis {
  const ctx = buildContext(snapshot, options.logPatterns);
  const byPod = new Map<string, Finding>();
  for (const pod of sortPods(snapshot.pods)) {
    const finding = podFinding(ctx, pod);
    if (finding !== undefined) byPod.set(pod.metadata?.name ?? '', finding);
  }
  const { counted, ignored } = splitIgnored(ctx, byPod);
  const ranked = rankFindings(ctx, [...counted, ...gonePodFindings(ctx)], controllerFinding(ctx), policyFinding(ctx, byPod));
  const ranking = withCronJobFinding(ranked, cronJobFinding(ctx));
  if (ranking !== undefined) addSecondary(ranking, ignored);
  return compose(ctx, ranking);
}

/**
 * Sets aside the pods that a podFailurePolicy Ignore rule kept out of the failure count,
 * since the Job failed through the others. When every failed pod was ignored, all stay.
 */
function splitIgnored(ctx: DiagnosisContext, byPod: Map<string, Finding>): { counted: Finding[]; ignored: Finding[] } {
  const names = ignoredPods(ctx);
  const counted = [...byPod].filter(([name]) => !names.has(name)).map(([, finding]) => finding);
  if (counted.length === 0) return { counted: [...byPod.values()], ignored: [] };
  const ignored = [...byPod].filter(([name]) => names.has(name)).map(([, finding]) => finding);
  return { counted, ignored };
}

function addSecondary(ranking: Ranking, findings: Finding[]): void {
  for (const finding of findings) {
    const cause = finding.cause;
    if (cause !== ranking.primary.cause && !ranking.secondary.includes(cause)) ranking.secondary.push(cause);
  }
}

function sortPods(pods: V1Pod[]): V1Pod[] {
  return [...pods].sort(
    (a, b) =>
      toMillis(a.metadata?.creationTimestamp) - toMillis(b.metadata?.creationTimestamp) ||
      (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
  );
}

function compose(ctx: DiagnosisContext, ranking: Ranking | undefined): Diagnosis {
  const primary = ranking?.primary ?? unknownFinding(ctx);
  const mask = (text: string) => redactText(text, { secretEnvNames: ctx.secretNames });
  const ruleQuote = primary.pod === undefined ? undefined : countedRuleQuote(ctx, primary.pod);
  const evidence = dedupeQuotes([...primary.evidence, ...(ruleQuote === undefined ? [] : [ruleQuote]), ...jobConditionQuotes(ctx)])
    .slice(0, MAX_EVIDENCE)
    .map((q): EvidenceQuote => ({ ...q, text: mask(q.text) }));
  const diagnosis: Diagnosis = {
    cause: primary.cause,
    reason: ctx.failure?.reason ?? null,
    summary: mask(summaryLine(ctx, primary, ranking)),
    evidence,
    fix: mask(primary.fix),
    secondary: ranking?.secondary ?? [],
    confidence: primary.confidence,
  };
  if (primary.pod !== undefined) diagnosis.pod = primary.pod;
  if (primary.container !== undefined) diagnosis.container = primary.container;
  return diagnosis;
}

function jobConditionQuotes(ctx: DiagnosisContext): EvidenceQuote[] {
  const conditions = ctx.snapshot.job.status?.conditions ?? [];
  const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
  const target = conditions.find((c) => c.type === 'FailureTarget' && c.status === 'True');
  const chosen = failed ?? target;
  return chosen === undefined ? [] : [conditionQuote(chosen, `job/${ctx.jobName}`)];
}

function summaryLine(ctx: DiagnosisContext, primary: Finding, ranking: Ranking | undefined): string {
  // The detail names the CronJob, whose runs are what stopped.
  if (primary.cause === 'schedule-missed') return oneLine(primary.detail);
  const job = `Job ${ctx.namespace}/${ctx.jobName}`;
  const status = ctx.snapshot.job.status;
  if (ctx.failure === undefined && primary.cause === 'unknown' && (status?.failed ?? 0) === 0 && (status?.active ?? 0) > 0) {
    // Asked about a Job that is still running: nothing has failed, so nothing is stuck either.
    return `${job} has not failed: ${status?.active ?? 0} pod(s) running and none failed, so there is nothing to diagnose yet`;
  }
  let state = primary.ran ? 'keeps failing' : 'is stuck';
  if (ctx.failure !== undefined) state = `failed (${ctx.failure.reason})`;
  const share = ranking !== undefined && ranking.share.total > 1 ? ` (${ranking.share.same} of ${ranking.share.total} pods)` : '';
  return `${job} ${state}: ${oneLine(primary.detail)}${share}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
