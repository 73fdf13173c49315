import { hostSettingQuotes } from './container-log.ts';
import type { ContainerLogReading } from './container-log.ts';
import type { ContainerView, DiagnosisContext } from './context.ts';
import { quote } from './evidence.ts';
import type { Finding, FindingBase } from './finding.ts';
import { describePod, podLogs, recreateHint, templateOwner, withCommand } from './fix-text.ts';
import type { LogMatch } from './log-patterns.ts';
import type { EvidenceQuote } from './types.ts';
import { userPatternFinding } from './user-pattern-rules.ts';

type Base = FindingBase;

/**
 * Explains a non-zero exit that is not a signal from the container's log: a
 * configured log pattern first, then a missing script, a foreign-architecture
 * binary, missing configuration, a refusal, an unreachable dependency, or else
 * the program's own error.
 */
export function logFinding(
  ctx: DiagnosisContext,
  view: ContainerView,
  code: number,
  log: ContainerLogReading,
  evidence: EvidenceQuote[],
  base: Base,
  previous: boolean,
): Finding {
  const run = { view, code, previous, lines: log.reading.lines };
  const configured = userPatternFinding(ctx, run, evidence, base);
  if (configured !== undefined) return configured;
  const match = log.match;
  const logs = podLogs(ctx, view.podName, view.name, previous);
  const exited = `container ${view.name} exited with exit code ${code}`;
  if (match === undefined) return appErrorFinding(view, code, log, evidence, base, logs);
  const said = `"${shortLine(match.line, match.matched)}"`;
  switch (match.cause) {
    case 'command-invalid':
      return {
        ...base,
        cause: 'command-invalid',
        confidence: 'medium',
        detail: `${exited}: its command names a file or program that is not in the image: ${said}`,
        fix: withCommand(`Fix the command or args of container ${view.name} in ${templateOwner(ctx)} to name a file that exists in ${view.spec?.image ?? 'the image'}.`, logs),
        evidence: [...evidence, ...commandQuote(view)],
      };
    case 'image-invalid':
      return architectureFinding(ctx, view, evidence, base, said);
    default:
      return classifiedFinding(ctx, view, match, evidence, base, `${exited}: ${said}`, logs);
  }
}

function classifiedFinding(
  ctx: DiagnosisContext,
  view: ContainerView,
  match: LogMatch,
  evidence: EvidenceQuote[],
  base: Base,
  detail: string,
  logs: string,
): Finding {
  const extra = match.cause === 'dependency-unavailable' ? hostSettingQuotes(view, match.line) : [];
  return {
    ...base,
    cause: match.cause,
    confidence: 'medium',
    detail,
    fix: withCommand(classifiedFix(ctx, view, match), logs),
    evidence: [...evidence, ...extra],
  };
}

function classifiedFix(ctx: DiagnosisContext, view: ContainerView, match: LogMatch): string {
  if (match.cause === 'config-missing') {
    return `Provide the missing setting to container ${view.name} (env, ConfigMap or Secret) in ${templateOwner(ctx)}; ${recreateHint(ctx)}.`;
  }
  if (match.cause === 'dependency-unavailable') {
    return `Check that the service container ${view.name} connects to is running and reachable from namespace ${ctx.namespace} (Service endpoints, DNS name, NetworkPolicy); retries or an init container that waits for it avoid failing on a slow start.`;
  }
  if (match.kind === 'rbac') {
    const found = /User "([^"]+)" cannot ([\w-]+) resource "([^"]+)"/.exec(match.line);
    if (found !== null) {
      const [, user, verb, resource] = found;
      return `Grant ${user} the "${verb}" verb on "${resource}" with a Role and RoleBinding; check with \`kubectl auth can-i ${verb} ${resource} --as=${user} -n ${ctx.namespace}\`.`;
    }
  }
  if (match.kind === 'filesystem') {
    return `Check file ownership and the securityContext of container ${view.name} (runAsUser, fsGroup, readOnlyRootFilesystem) against the paths it writes.`;
  }
  return `Check the credentials and access policy that container ${view.name} uses: the server refused them.`;
}

function appErrorFinding(
  view: ContainerView,
  code: number,
  log: ContainerLogReading,
  evidence: EvidenceQuote[],
  base: Base,
  logs: string,
): Finding {
  const exited = `container ${view.name} exited with exit code ${code}`;
  const headline = log.reading.fromErrors ? log.reading.headline : undefined;
  const confidence = headline !== undefined ? 'high' : log.empty ? 'low' : 'medium';
  const said = headline === undefined ? '' : `: "${shortLine(headline, [])}"`;
  const fix = log.empty
    ? `The program printed nothing before it exited; look up what exit code ${code} means for it, or run it with more logging.`
    : `Fix the error the program reports; it ran and exited on its own.`;
  return {
    ...base,
    cause: 'app-error',
    confidence,
    detail: `${exited}${said}`,
    fix: withCommand(fix, logs),
    evidence,
  };
}

/**
 * Explains a container the runtime could not start (`StartError`,
 * `ContainerCannotRun`, `RunContainerError`, `CreateContainerError`) from the
 * runtime's message.
 */
export function startErrorFinding(
  ctx: DiagnosisContext,
  view: ContainerView,
  message: string,
  evidence: EvidenceQuote[],
  base: Base,
): Finding {
  if (/exec format error/.test(message)) return architectureFinding(ctx, view, evidence, base, 'exec format error');
  const said = message === '' ? '' : `: "${shortLine(message, ['exec', 'no such file', 'not found', 'permission denied'])}"`;
  return {
    ...base,
    cause: 'command-invalid',
    confidence: 'high',
    detail: `the container runtime could not start container ${view.name}${said}`,
    fix: withCommand(
      `Fix the command of container ${view.name} in ${templateOwner(ctx)} so that it names an executable that exists in ${view.spec?.image ?? 'the image'}.`,
      describePod(ctx, view.podName),
    ),
    evidence: [...evidence, ...commandQuote(view)],
  };
}

function architectureFinding(ctx: DiagnosisContext, view: ContainerView, evidence: EvidenceQuote[], base: Base, said: string): Finding {
  const nodeName = view.pod.spec?.nodeName;
  const arch = ctx.node(nodeName)?.status?.nodeInfo?.architecture;
  const archQuote = arch === undefined ? [] : [quote('status', `nodeInfo.architecture: ${arch}`, `node/${nodeName}`)];
  const image = view.spec?.image ?? 'the image';
  const on = arch === undefined ? 'this node' : `node ${nodeName} (${arch})`;
  return {
    ...base,
    ran: false,
    cause: 'image-invalid',
    confidence: arch === undefined ? 'medium' : 'high',
    detail: `container ${view.name} could not run ${image} on ${on}: ${said}`,
    fix: withCommand(
      `Use a build of ${image} for ${arch ?? "the node's CPU architecture"} (or a multi-arch image), or schedule the pod on matching nodes with a kubernetes.io/arch nodeSelector.`,
      describePod(ctx, view.podName),
    ),
    evidence: [...evidence, ...archQuote],
  };
}

function commandQuote(view: ContainerView): EvidenceQuote[] {
  const command = [...(view.spec?.command ?? []), ...(view.spec?.args ?? [])];
  return command.length === 0 ? [] : [quote('spec', `command: ${JSON.stringify(command)}`, `container ${view.name}`)];
}

/** Keeps summaries to one readable line: 200 characters around the matched words. */
function shortLine(line: string, focus: string[]): string {
  const flat = line.replace(/\s+/g, ' ').trim();
  if (flat.length <= 200) return flat;
  const at = Math.max(0, ...focus.map((w) => flat.indexOf(w)).filter((i) => i >= 0).slice(0, 1));
  const start = Math.max(0, at - 60);
  return `${start > 0 ? '…' : ''}${flat.slice(start, start + 200)}…`;
}
