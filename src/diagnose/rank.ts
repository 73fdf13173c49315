import { podRan } from './context.ts';
import type { DiagnosisContext } from './context.ts';
import { quote } from './evidence.ts';
import { confidenceWeight } from './finding.ts';
import type { Finding } from './finding.ts';
import { describeJob, templateOwner, withCommand } from './fix-text.ts';
import type { CauseId } from './types.ts';

/** The ranked outcome: one primary finding, how many findings share its cause, and the other causes. */
export interface Ranking {
  primary: Finding;
  /** Findings (pods) that share the primary cause, and how many there were in all. */
  share: { same: number; total: number };
  secondary: CauseId[];
}

/**
 * Applies the precedence rules of docs/causes.md. A Job that hit its
 * deadline without its workload ever running failed because of what stopped
 * the pods. `deadline-exceeded` wins only when the workload ran and no
 * earlier failure explains it. Otherwise an OOM kill outranks what follows
 * from it. Among the rest, the cause seen in the most pods wins, weighted by
 * confidence, and the latest finding breaks ties.
 */
export function rankFindings(
  ctx: DiagnosisContext,
  pods: Finding[],
  controller: Finding | undefined,
  policy: Finding | undefined,
): Ranking | undefined {
  const real = pods.filter((f) => !f.consequence);
  const stops = pods.filter((f) => f.consequence);
  const all = controller === undefined ? real : [...real, controller];
  if (policy !== undefined) return finish(policy, [policy], all);
  if (ctx.failure?.reason === 'DeadlineExceeded') {
    const ran = ctx.snapshot.pods.some(podRan);
    const blockers = all.filter((f) => !f.ran);
    let pool: Finding[] | undefined;
    if (!ran && blockers.length > 0) pool = blockers;
    else if (real.length > 0) pool = real;
    const primary = pool === undefined ? deadlineFinding(ctx, stops, ran) : withStopContext(choose(pool, stops), stops);
    const ranking = finish(primary, pool ?? [primary], all);
    if (primary.cause === 'deadline-exceeded') return ranking;
    ranking.secondary.unshift('deadline-exceeded');
    // A workload that ran and then hit the deadline leaves two explanations: the failure
    // read from its pods and its time running out. Blocked pods leave only one.
    return ran ? { ...ranking, primary: lowered(ranking.primary) } : ranking;
  }
  if (all.length === 0) return undefined;
  return finish(withStopContext(choose(all, stops), stops), all, all);
}

/**
 * Picks the primary finding: an OOM kill first, else the cause with the highest score.
 * Among findings of that cause the latest wins, but when the job controller stopped later
 * runs (`stops`), the earliest run that failed on its own is quoted, because the later
 * runs may only have repeated it before the stop.
 */
function choose(findings: Finding[], stops: Finding[]): Finding {
  const oom = findings.filter((f) => f.cause === 'oom-killed' && f.confidence === 'high');
  if (oom.length > 0) return latest(oom);
  const scores = new Map<CauseId, number>();
  for (const f of findings) scores.set(f.cause, (scores.get(f.cause) ?? 0) + confidenceWeight(f));
  const best = Math.max(...scores.values());
  const leaders = findings.filter((f) => scores.get(f.cause) === best);
  return stops.length > 0 ? earliest(leaders) : latest(leaders);
}

function latest(findings: Finding[]): Finding {
  return findings.reduce((a, b) => (b.atMs >= a.atMs ? b : a));
}

function earliest(findings: Finding[]): Finding {
  return findings.reduce((a, b) => (b.atMs < a.atMs ? b : a));
}

/** Quotes the latest stop of a later run after the primary's own evidence, as context. */
function withStopContext(primary: Finding, stops: Finding[]): Finding {
  const later = stops.filter((f) => f.atMs >= primary.atMs);
  const context = later.length === 0 ? undefined : latest(later).evidence[0];
  if (context === undefined) return primary;
  return { ...primary, evidence: [...primary.evidence, context] };
}

function finish(primary: Finding, pool: Finding[], all: Finding[]): Ranking {
  const same = pool.filter((f) => f.cause === primary.cause).length;
  const secondary = new Set<CauseId>(primary.secondary ?? []);
  for (const f of all) if (f.cause !== primary.cause) secondary.add(f.cause);
  secondary.delete(primary.cause);
  const conflicting = (primary.secondary ?? []).length > 0 || all.some((f) => isCompeting(f, primary));
  return { primary: conflicting ? lowered(primary) : primary, share: { same, total: pool.length }, secondary: [...secondary] };
}

/** True when a finding points at another cause with at least medium confidence on its own evidence. */
function isCompeting(finding: Finding, primary: Finding): boolean {
  return finding.cause !== primary.cause && finding.confidence !== 'low' && finding.consequence !== true;
}

/**
 * Lowers confidence one step (high to medium, medium to low) when signals disagree, such as an
 * OOM kill followed by "connection refused", or an eviction beside a pod that failed on its own.
 */
function lowered(finding: Finding): Finding {
  const confidence = finding.confidence === 'high' ? 'medium' : 'low';
  return { ...finding, confidence };
}

/** Builds the finding for a Job that ran past activeDeadlineSeconds while its workload ran, or with nothing else to blame. */
function deadlineFinding(ctx: DiagnosisContext, stops: Finding[], ran: boolean): Finding {
  const deadline = ctx.snapshot.job.spec?.activeDeadlineSeconds;
  const stopped = stops.at(-1);
  const evidence = [
    ...(deadline === undefined ? [] : [quote('spec', `spec.activeDeadlineSeconds: ${deadline}`, `job/${ctx.jobName}`)]),
    ...stops.flatMap((f) => f.evidence),
  ];
  const limit = deadline === undefined ? 'its activeDeadlineSeconds' : `its activeDeadlineSeconds of ${deadline}s`;
  const tail = stopped === undefined ? '' : `; ${stopped.detail}`;
  // A stop that also shows a memory kill keeps that kill as a secondary cause, and finish()
  // then lowers the confidence because two signals are present.
  const secondary = [...new Set(stops.flatMap((f) => f.secondary ?? []))];
  const memory = secondary.includes('oom-killed') ? ' The container also ran out of memory as it stopped: check its memory use.' : '';
  const detail = ran
    ? `the workload was still running when the Job reached ${limit}${tail}`
    : `no pod started before the Job reached ${limit}, and nothing in the snapshot says why`;
  return {
    cause: 'deadline-exceeded',
    confidence: ran ? 'high' : 'low',
    detail,
    fix: withCommand(
      `Find where the run stalled in its last log lines; if the work is only slow, raise spec.activeDeadlineSeconds in ${templateOwner(ctx)}.${memory}`,
      describeJob(ctx),
    ),
    evidence,
    ...(stopped?.pod === undefined ? {} : { pod: stopped.pod }),
    ...(stopped?.container === undefined ? {} : { container: stopped.container }),
    atMs: stopped?.atMs ?? 0,
    ran,
    ...(secondary.length === 0 ? {} : { secondary }),
  };
}
