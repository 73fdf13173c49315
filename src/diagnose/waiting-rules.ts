import type { CoreV1Event } from '@kubernetes/client-node';
import type { ContainerView, DiagnosisContext } from './context.ts';
import { eventQuote, waitingQuote } from './evidence.ts';
import type { Finding, FindingBase } from './finding.ts';
import { describePod, recreateHint, templateOwner, withCommand } from './fix-text.ts';
import { startErrorFinding } from './log-rules.ts';
import { terminatedFinding } from './terminated-rules.ts';
import { volumeFinding } from './volume-rules.ts';

const IMAGE_PULL = new Set(['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'RegistryUnavailable']);
const IMAGE_INVALID = new Set(['InvalidImageName', 'ImageInspectError']);
const START_ERRORS = new Set(['CreateContainerError', 'RunContainerError', 'PreStartHookError', 'PostStartHookError']);
// The kubelet's messages for runAsNonRoot checks (pkg/kubelet/kuberuntime/security_context_others.go).
const NON_ROOT = /runAsNonRoot|non-root|non-numeric user/;
const MISSING_OBJECT = /(secrets?|configmaps?) "[^"]+" not found|couldn't find key|not found in (Secret|ConfigMap)/i;

/**
 * Reads a container that is waiting to start: image pull and name errors,
 * config errors, start errors, a crash loop (through its last run) and a
 * volume that would not mount. Returns undefined for ordinary waiting.
 */
export function waitingFinding(ctx: DiagnosisContext, view: ContainerView): Finding | undefined {
  const waiting = view.status.state?.waiting;
  const reason = waiting?.reason ?? '';
  const base = { pod: view.podName, container: view.name, atMs: latestEventMs(ctx, view), ran: false };
  const message = waiting?.message || lastFailedMessage(ctx, view);
  if (reason === 'CrashLoopBackOff') return terminatedFinding(ctx, view, 'lastState');
  if (reason === 'ContainerCreating') return volumeFinding(ctx, view.pod);
  if (IMAGE_PULL.has(reason)) return imagePullFinding(ctx, view, base);
  if (IMAGE_INVALID.has(reason)) {
    return {
      ...base,
      cause: 'image-invalid',
      confidence: 'high',
      detail: `container ${view.name} cannot start: image reference "${view.spec?.image ?? ''}" is invalid (${reason})`,
      fix: withCommand(`Set a full image reference (repository and tag) for container ${view.name} in ${templateOwner(ctx)}; ${recreateHint(ctx)}.`, describePod(ctx, view.podName)),
      evidence: [waitingQuote(view), ...failedEventQuotes(ctx, view)],
    };
  }
  if (reason === 'CreateContainerConfigError') return configErrorFinding(ctx, view, message, base);
  if (START_ERRORS.has(reason)) {
    if (MISSING_OBJECT.test(message)) return configErrorFinding(ctx, view, message, base);
    return startErrorFinding(ctx, view, message, [waitingQuote(view), ...failedEventQuotes(ctx, view)], base);
  }
  return undefined;
}

function configErrorFinding(ctx: DiagnosisContext, view: ContainerView, message: string, base: FindingBase): Finding {
  const evidence = [waitingQuote(view), ...failedEventQuotes(ctx, view)];
  if (NON_ROOT.test(message)) {
    return {
      ...base,
      cause: 'permission-denied',
      confidence: 'high',
      detail: `container ${view.name} was refused by its runAsNonRoot check: ${message}`,
      fix: withCommand(`Set securityContext.runAsUser to a non-zero UID for container ${view.name} in ${templateOwner(ctx)} (or use an image with a numeric non-root USER); ${recreateHint(ctx)}.`, describePod(ctx, view.podName)),
      evidence,
    };
  }
  return {
    ...base,
    cause: 'config-missing',
    confidence: 'high',
    detail: `container ${view.name} cannot be created: ${message || 'CreateContainerConfigError'}`,
    fix: withCommand(`Create the missing Secret, ConfigMap or key in namespace ${ctx.namespace}, or fix the reference in ${templateOwner(ctx)}; the kubelet retries on its own once it exists.`, describePod(ctx, view.podName)),
    evidence,
  };
}

function imagePullFinding(ctx: DiagnosisContext, view: ContainerView, base: FindingBase): Finding {
  const pullError = pullErrorEvent(ctx, view);
  const text = `${pullError?.message ?? ''} ${view.status.state?.waiting?.message ?? ''}`;
  const image = view.spec?.image ?? view.status.image;
  const secrets = (view.pod.spec?.imagePullSecrets ?? []).map((s) => s.name).filter(Boolean);
  const evidence = [waitingQuote(view), ...(pullError === undefined ? [] : [eventQuote(pullError)])];
  let why = 'the image could not be pulled';
  let fix = `Check that ${image} exists and that the nodes can reach its registry.`;
  if (/not found|manifest unknown|name unknown|NotFound/i.test(text)) {
    why = 'the image or tag does not exist';
    fix = `Fix the image name or tag of container ${view.name} (${image}) in ${templateOwner(ctx)}.`;
  } else if (/unauthorized|pull access denied|authorization failed|no basic auth|authentication required|\b40[13]\b|forbidden|denied/i.test(text)) {
    why = 'the registry refused the pull credentials';
    fix = secrets.length === 0
      ? `Add imagePullSecrets with credentials for the registry of ${image} to the pod template in ${templateOwner(ctx)}; the pod has none.`
      : `Check that imagePullSecrets ${secrets.join(', ')} hold valid credentials for the registry of ${image}.`;
  } else if (/toomanyrequests|rate limit/i.test(text)) {
    why = 'the registry rate-limited the pull';
    fix = `Authenticate pulls of ${image} or mirror it to a registry without a pull rate limit.`;
  }
  return {
    ...base,
    cause: 'image-pull',
    confidence: 'high',
    detail: `container ${view.name} cannot pull ${image}: ${why}`,
    fix: withCommand(fix, describePod(ctx, view.podName)),
    evidence,
  };
}

function podEvents(ctx: DiagnosisContext, view: ContainerView): CoreV1Event[] {
  return ctx.eventsFor('Pod', view.podName);
}

function pullErrorEvent(ctx: DiagnosisContext, view: ContainerView): CoreV1Event | undefined {
  return podEvents(ctx, view)
    .filter((e) => e.reason === 'Failed' && /^Failed to pull image/.test(e.message ?? ''))
    .at(-1);
}

/** Quotes the kubelet's latest `Failed` event that says more than the bare "Error: <Reason>" echo. */
function failedEventQuotes(ctx: DiagnosisContext, view: ContainerView) {
  const failed = podEvents(ctx, view).filter((e) => e.reason === 'Failed' || e.reason === 'InspectFailed');
  const telling = failed.filter((e) => !/^Error: [A-Za-z]+$/.test(e.message ?? ''));
  return telling.slice(-1).map((e) => eventQuote(e));
}

function lastFailedMessage(ctx: DiagnosisContext, view: ContainerView): string {
  const event = podEvents(ctx, view).filter((e) => e.reason === 'Failed').at(-1);
  return (event?.message ?? '').replace(/^Error: /, '');
}

function latestEventMs(ctx: DiagnosisContext, view: ContainerView): number {
  const last = podEvents(ctx, view).at(-1);
  const value = last?.lastTimestamp ?? last?.firstTimestamp;
  return value === undefined ? 0 : new Date(value).getTime() || 0;
}
