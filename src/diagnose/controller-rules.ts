import type { CoreV1Event } from '@kubernetes/client-node';
import { toMillis } from './context.ts';
import type { DiagnosisContext } from './context.ts';
import { eventQuote } from './evidence.ts';
import type { Finding } from './finding.ts';
import { jobEvents, templateOwner, withCommand } from './fix-text.ts';
import { managedByFinding, suspendedFinding } from './suspend-rules.ts';
import type { CauseId } from './types.ts';

interface CreateRule {
  cause: CauseId;
  pattern: RegExp;
  fix: (ctx: DiagnosisContext) => string;
}

// The API server's admission errors as the job controller records them in FailedCreate events.
const RULES: CreateRule[] = [
  {
    cause: 'quota-exceeded',
    pattern: /exceeded quota|failed quota|must specify (limits|requests)/,
    fix: (ctx) => `Free or raise the ResourceQuota in namespace ${ctx.namespace}, or set the requests and limits it requires in ${templateOwner(ctx)}.`,
  },
  {
    cause: 'quota-exceeded',
    pattern: /(maximum|minimum) (cpu|memory|ephemeral-storage|storage) usage per (Container|Pod)|must be less than or equal to (cpu|memory) limit|max limit to request ratio/,
    fix: (ctx) => `Bring the container resources in ${templateOwner(ctx)} within the LimitRange of namespace ${ctx.namespace}.`,
  },
  {
    cause: 'config-missing',
    pattern: /error looking up service account|serviceaccounts? "[^"]+" not found/,
    fix: (ctx) => `Create the ServiceAccount in namespace ${ctx.namespace} or fix serviceAccountName in ${templateOwner(ctx)}.`,
  },
  {
    cause: 'admission-denied',
    pattern: /failed calling webhook|no endpoints available for service|admission webhook .* denied the request|violates PodSecurity|denied by|admission|is forbidden/,
    fix: () => 'Fix what the admission webhook or policy rejects, or, when the webhook could not be called, restore its Service and pods (or its failurePolicy); pod creation resumes on its own.',
  },
];

/**
 * Reads what kept the job controller from running pods: its FailedCreate events (a
 * ResourceQuota, LimitRange, admission webhook or policy rejected the pods, or the
 * ServiceAccount is missing), else a suspension, else a `spec.managedBy` that hands
 * the Job to another controller.
 */
export function controllerFinding(ctx: DiagnosisContext): Finding | undefined {
  return failedCreateFinding(ctx) ?? suspendedFinding(ctx) ?? managedByFinding(ctx);
}

function failedCreateFinding(ctx: DiagnosisContext): Finding | undefined {
  const failed = ctx.eventsFor('Job', ctx.jobName).filter((e) => e.reason === 'FailedCreate');
  const last = failed.at(-1);
  if (last === undefined) return undefined;
  const message = last.message ?? '';
  const rule = RULES.find((r) => r.pattern.test(message));
  const total = failed.reduce((sum, e) => sum + (e.count ?? 1), 0);
  const attempts = total > 1 ? ` (${total} attempts)` : '';
  return {
    cause: rule?.cause ?? 'admission-denied',
    confidence: rule === undefined ? 'medium' : 'high',
    detail: `the job controller could not create pods${attempts}: ${shortMessage(message)}`,
    fix: withCommand(rule?.fix(ctx) ?? 'Read why the API server rejected the pod and fix the pod template.', jobEvents(ctx)),
    evidence: distinctMessages(failed).map((e) => eventQuote(e)),
    atMs: toMillis(last.lastTimestamp),
    ran: false,
  };
}

/** Keeps the newest event per distinct message (pod names set aside), at most two, newest last. */
function distinctMessages(events: CoreV1Event[]): CoreV1Event[] {
  const byKey = new Map<string, CoreV1Event>();
  for (const event of events) {
    byKey.set((event.message ?? '').replace(/pods "[^"]+"/, 'pods'), event);
  }
  return [...byKey.values()].slice(-2);
}

function shortMessage(message: string): string {
  const flat = message.replace(/^Error creating: /, '').replace(/\s+/g, ' ');
  return flat.length > 240 ? `${flat.slice(0, 240)}…` : flat;
}
