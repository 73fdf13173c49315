import type { ContainerView, DiagnosisContext } from './context.ts';
import { clipAround, containerRef, quote } from './evidence.ts';
import type { Finding, FindingBase } from './finding.ts';
import { podLogs, withCommand } from './fix-text.ts';
import type { EvidenceQuote } from './types.ts';
import { matchUserPatterns } from './user-patterns.ts';

/** The run of one container whose log is read, as `logFinding` receives it. */
export interface ExitedRun {
  view: ContainerView;
  code: number;
  /** True for the run before a restart (`lastState`). */
  previous: boolean;
  /** The run's decisive log lines. */
  lines: readonly string[];
}

/**
 * Explains a non-zero exit by the first configured log pattern that matches one of the
 * run's decisive lines, or returns undefined when none does. The finding has `medium`
 * confidence because the cause is inferred from a log line, and quotes the line and the
 * pattern that matched it.
 */
export function userPatternFinding(
  ctx: DiagnosisContext,
  run: ExitedRun,
  evidence: EvidenceQuote[],
  base: FindingBase,
): Finding | undefined {
  const match = matchUserPatterns(ctx.logPatterns, run.lines);
  if (match === undefined) return undefined;
  const { view, code, previous } = run;
  const { pattern } = match;
  const name = JSON.stringify(pattern.name);
  const line = clipAround(match.line, [match.matched]);
  const lineQuote = quote('log', line, containerRef(view, previous));
  const regex = pattern.written ?? `/${pattern.regex.source}/${pattern.regex.flags}`;
  const patternQuote = quote(
    'spec',
    `configured log pattern ${name} matched ${regex}, which names cause ${pattern.cause}`,
    'jobwatch configuration',
  );
  const fix =
    pattern.fix ??
    `Act on the line that the configured log pattern ${name} matched in container ${view.name}.`;
  return {
    ...base,
    cause: pattern.cause,
    confidence: 'medium',
    detail: `container ${view.name} exited with exit code ${code}, and its log matched the configured pattern ${name}: "${shortLine(match.line, match.matched)}"`,
    fix: withCommand(fix, podLogs(ctx, view.podName, view.name, previous)),
    // The status quote stays first; the matched line and the pattern come before the other log lines.
    evidence: [...evidence.slice(0, 1), lineQuote, patternQuote, ...evidence.slice(1)],
  };
}

/** Keeps the summary to one line: 200 characters around the matched text. */
function shortLine(line: string, matched: string): string {
  const flat = line.replace(/\s+/g, ' ').trim();
  if (flat.length <= 200) return flat;
  const at = Math.max(0, flat.indexOf(matched.replace(/\s+/g, ' ').trim()));
  const start = Math.max(0, at - 60);
  return `${start > 0 ? '…' : ''}${flat.slice(start, start + 200)}…`;
}
