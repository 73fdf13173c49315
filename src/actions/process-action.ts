import type { V1CronJob, V1Job } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { hasRedactedSpec, redactJob, restoreRedactedJob } from '../diagnose/redact-objects.ts';
import type { EpisodeStore } from '../episode/store.ts';
import { KubeApiError, toKubeApiError } from '../kube/errors.ts';
import { escapeMrkdwn } from '../slack/escape.ts';
import { inlineCode } from '../slack/mrkdwn.ts';
import type { ActionRecord, ActionStore } from './action-store.ts';
import { managedWarning, managingTool } from './managers.ts';
import { rebaseLimits } from './limit-changes.ts';
import { currentLimits } from './limits.ts';
import type { KubeWrites, LimitValues } from './types.ts';

/** A step the cluster side performs for an action. */
export type ActionStep = 'plan' | 'execute';

/** The plan for a retry Job, as the retry builder returns it. */
export interface RetryPlanLike {
  job: V1Job;
  name: string;
  warnings: string[];
  refusal?: string;
  templateDiffers?: { fields: string[] };
}

/** Replies to read-only requests (`/job status`, `why`, `list`, full logs), computed on the cluster side. */
export interface ReadAnswers {
  status(namespace: string, name: string): Promise<string>;
  why(namespace: string, name: string): Promise<string>;
  list(namespace: string | undefined, filter: string): Promise<string>;
  /** Collects a Job's logs into one file; `undefined` when the Job is unknown. */
  logs(record: ActionRecord): Promise<{ content: string; notes: string[] } | undefined>;
}

export interface ActionDeps {
  actions: ActionStore;
  episodes: EpisodeStore;
  writes: KubeWrites;
  answers: ReadAnswers;
  buildRetry(input: { original: V1Job; cronJob?: V1CronJob; retryNumber: number; requestedBy: { id: string; name?: string }; alertKey: string; cluster?: string; now: Date }): RetryPlanLike;
  applyLimits(job: V1Job, values: LimitValues): V1Job;
  cronJobPatch(cronJob: V1CronJob, values: LimitValues): Record<string, unknown>;
  /** Queues the notifier's message about the action's new stage. */
  notify(record: ActionRecord): Promise<void>;
  logger: Logger;
  cluster?: string;
  clock?: () => Date;
}

/**
 * Performs one step of an action on the cluster side and records the outcome, which
 * the notifier then shows. Each step runs at most once per action: a step whose stage
 * has already moved on is skipped, so a redelivered queue job changes nothing.
 */
export async function processAction(deps: ActionDeps, id: string, step: ActionStep): Promise<void> {
  const record = await deps.actions.get(id);
  if (!record) {
    deps.logger.warn({ action: id, step }, 'action record not found; it expired or was never stored');
    return;
  }
  const log = deps.logger.child({ action: id, kind: record.kind, step, namespace: record.namespace, job: record.name });
  const expected = step === 'plan' ? 'requested' : 'confirmed';
  if (record.stage !== expected) {
    log.info({ stage: record.stage }, 'action step already done');
    return;
  }
  try {
    await runStep(deps, record, step, log);
  } catch (err) {
    if (err instanceof SecretValuesUnavailableError) {
      record.stage = 'refused';
      record.result = { text: escapeMrkdwn(err.message) };
      log.info({ err }, 'action rejected: secret values of the Job spec not found');
    } else {
      record.stage = 'failed';
      const converted = err instanceof KubeApiError || !isApiException(err) ? err : toKubeApiError(err);
      let message = String(converted);
    if (converted instanceof KubeApiError) message = converted.statusMessage ?? converted.message;
    else if (converted instanceof Error) message = converted.message;
      record.result = { text: `The API server refused it: ${escapeMrkdwn(message)}`, error: message };
      log.warn({ err }, 'action failed');
    }
  }
  record.updatedAt = now(deps).toISOString();
  await deps.actions.put(record);
  log.info({ stage: record.stage, createdJob: record.result?.createdJob }, 'action step done');
  await deps.notify(record);
}

/** True for the errors client-node's generated API clients throw. */
function isApiException(err: unknown): boolean {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'number' && 'body' in err;
}

function now(deps: ActionDeps): Date {
  return deps.clock?.() ?? new Date();
}

async function runStep(deps: ActionDeps, record: ActionRecord, step: ActionStep, log: Logger): Promise<void> {
  switch (record.kind) {
    case 'retry':
      return step === 'plan' ? planRetry(deps, record) : createPlannedJob(deps, record);
    case 'raise-limits':
      return applyRaisedLimits(deps, record, log);
    case 'logs': {
      const collected = await deps.answers.logs(record);
      if (!collected) {
        record.stage = 'failed';
        record.result = { text: `No logs found for Job ${inlineCode(`${record.namespace}/${record.name ?? ''}`)}: the Job and its captured evidence are gone.` };
        return;
      }
      if (collected.content !== '') record.fileKey = await deps.actions.putFile(record.id, collected.content);
      record.stage = 'done';
      record.result = { text: collected.notes.map((note) => escapeMrkdwn(note)).join('\n') };
      return;
    }
    case 'status':
    case 'why':
    case 'list': {
      const text =
        record.kind === 'list'
          ? await deps.answers.list(record.namespace || undefined, typeof record.params?.['filter'] === 'string' ? record.params['filter'] : 'failing')
          : record.kind === 'why'
            ? await deps.answers.why(record.namespace, record.name ?? '')
            : await deps.answers.status(record.namespace, record.name ?? '');
      record.stage = 'done';
      record.result = { text };
      return;
    }
  }
}

/** Raised when a Job would be created from a copy whose secret values jobwatch does not keep. */
class SecretValuesUnavailableError extends Error {}

/**
 * Loads the Job an action is about: the alert's stored copy, else the live one.
 * The stored copy has its secret env values and command lines masked, so those
 * are taken from the live Job of the same uid.
 */
async function originalJob(deps: ActionDeps, record: ActionRecord): Promise<V1Job> {
  if (record.alertKey) {
    const stored = await deps.episodes.getJob(record.alertKey);
    if (stored) return hasRedactedSpec(stored) ? await withLiveSecretValues(deps, record, stored) : stored;
  }
  return deps.writes.getJob(record.namespace, record.name ?? '');
}

async function withLiveSecretValues(deps: ActionDeps, record: ActionRecord, stored: V1Job): Promise<V1Job> {
  const name = stored.metadata?.name ?? record.name ?? '';
  const live = await deps.writes.getJob(record.namespace, name).catch((err: unknown) => {
    const converted = err instanceof KubeApiError ? err : isApiException(err) ? toKubeApiError(err) : undefined;
    if (converted?.isNotFound) return undefined;
    throw err;
  });
  const restored = live?.metadata?.uid === stored.metadata?.uid && live ? restoreRedactedJob(stored, live) : undefined;
  if (restored) return restored;
  throw new SecretValuesUnavailableError(
    `Job ${record.namespace}/${name} is gone or was replaced, and jobwatch keeps no copy of the secret values in its spec. Create the retry from the Job's manifest.`,
  );
}

function cronJobOwner(job: V1Job): string | undefined {
  return job.metadata?.ownerReferences?.find((ref) => ref.kind === 'CronJob' && ref.controller === true)?.name;
}

async function planRetry(deps: ActionDeps, record: ActionRecord): Promise<void> {
  const original = await originalJob(deps, record);
  const cronJobName = cronJobOwner(original);
  const cronJob = cronJobName ? await deps.writes.getCronJob(record.namespace, cronJobName) : undefined;
  const retryNumber = (await deps.actions.currentRetryNumber(record.alertKey ?? original.metadata?.uid ?? record.id)) + 1;
  const plan = deps.buildRetry({
    original,
    ...(cronJob ? { cronJob } : {}),
    retryNumber,
    requestedBy: { id: record.actor.id, ...(record.actor.name ? { name: record.actor.name } : {}) },
    alertKey: record.alertKey ?? original.metadata?.uid ?? '',
    ...(deps.cluster ? { cluster: deps.cluster } : {}),
    now: now(deps),
  });
  if (plan.refusal) {
    record.stage = 'refused';
    record.result = { text: escapeMrkdwn(plan.refusal) };
    return;
  }
  const warnings = [...plan.warnings];
  if (plan.templateDiffers && plan.templateDiffers.fields.length > 0) {
    warnings.unshift(`CronJob ${inlineCode(cronJobName ?? '')} has changed since this run; the retry uses its current template (${escapeMrkdwn(plan.templateDiffers.fields.join(', '))} differ).`);
  }
  record.stage = 'planned';
  record.plan = {
    summary: `Create Job ${inlineCode(plan.name)} in ${inlineCode(record.namespace)} from ${cronJob ? `CronJob ${inlineCode(cronJobName ?? '')}'s current template` : `the spec of ${inlineCode(record.name ?? '')}`}.`,
    warnings,
    // The record is stored in Redis, so its copy has secret values masked until creation.
    job: redactJob(plan.job) as unknown as Record<string, unknown>,
  };
}

async function createPlannedJob(deps: ActionDeps, record: ActionRecord): Promise<void> {
  const planned = record.plan?.job as V1Job | undefined;
  if (!planned) throw new Error(`action ${record.id} has no planned Job`);
  const job = hasRedactedSpec(planned) ? await restorePlannedJob(deps, record, planned) : planned;
  const created = await deps.writes.createJob(record.namespace, job, record.identity);
  await finishCreated(deps, record, created, `Created Job ${inlineCode(created.metadata?.name ?? '')}.`);
}

/** Fills the planned Job's masked values from the Job it copies or its CronJob's template. */
async function restorePlannedJob(deps: ActionDeps, record: ActionRecord, planned: V1Job): Promise<V1Job> {
  const original = await originalJob(deps, record);
  const cronJobName = cronJobOwner(original);
  const cronJob = cronJobName ? await deps.writes.getCronJob(record.namespace, cronJobName) : undefined;
  const template = cronJob?.spec?.jobTemplate.spec;
  const sources: V1Job[] = [original, ...(template ? [{ spec: template }] : [])];
  for (const source of sources) {
    const restored = restoreRedactedJob(planned, source);
    if (restored) return restored;
  }
  throw new SecretValuesUnavailableError(
    `The spec of ${record.namespace}/${record.name ?? ''} changed after the retry was planned, so its secret values are unknown. Start the retry again.`,
  );
}

async function finishCreated(deps: ActionDeps, record: ActionRecord, created: V1Job, text: string): Promise<void> {
  if (record.alertKey) await deps.actions.nextRetryNumber(record.alertKey);
  if (created.metadata?.uid) await deps.actions.linkCreatedJob(created.metadata.uid, record.id);
  record.stage = 'done';
  record.result = { text, ...(created.metadata?.name ? { createdJob: created.metadata.name } : {}) };
}

async function applyRaisedLimits(deps: ActionDeps, record: ActionRecord, log: Logger): Promise<void> {
  const values = record.params?.['values'] as LimitValues | undefined;
  if (!values) throw new Error(`action ${record.id} has no limit values`);
  const original = await originalJob(deps, record);
  const cronJobName = cronJobOwner(original);
  const alertKey = record.alertKey ?? original.metadata?.uid ?? record.id;
  const retryNumber = (await deps.actions.currentRetryNumber(alertKey)) + 1;
  const requestedBy = { id: record.actor.id, ...(record.actor.name ? { name: record.actor.name } : {}) };
  if (cronJobName) {
    const cronJob = await deps.writes.getCronJob(record.namespace, cronJobName);
    // The form was filled from the failed run, so only the fields the user edited are written.
    const before = record.params?.['current'] as LimitValues | undefined;
    const desired = before ? rebaseLimits(currentLimits(cronJob.spec?.jobTemplate ?? {}), before, values) : values;
    const patched = await deps.writes.patchCronJob(record.namespace, cronJobName, deps.cronJobPatch(cronJob, desired), record.identity);
    log.info({ cronJob: cronJobName }, 'cronjob template patched');
    const tool = managingTool(cronJob.metadata);
    const warning = tool ? ` :warning: ${escapeMrkdwn(managedWarning('CronJob', cronJobName, tool))}` : '';
    const patchedText = `Patched CronJob ${inlineCode(cronJobName)}: future runs use the new values.${warning}`;
    if (record.params?.['runNow'] !== true) {
      record.stage = 'done';
      record.result = { text: patchedText };
      return;
    }
    const plan = deps.buildRetry({ original, cronJob: patched, retryNumber, requestedBy, alertKey, now: now(deps), ...(deps.cluster ? { cluster: deps.cluster } : {}) });
    if (plan.refusal) {
      record.stage = 'done';
      record.result = { text: `${patchedText} No run started: ${escapeMrkdwn(plan.refusal)}` };
      return;
    }
    const created = await deps.writes.createJob(record.namespace, plan.job, record.identity);
    await finishCreated(deps, record, created, `${patchedText} Started Job ${inlineCode(created.metadata?.name ?? '')} from it.`);
    return;
  }
  const plan = deps.buildRetry({ original: deps.applyLimits(original, values), retryNumber, requestedBy, alertKey, now: now(deps), ...(deps.cluster ? { cluster: deps.cluster } : {}) });
  if (plan.refusal) {
    record.stage = 'refused';
    record.result = { text: escapeMrkdwn(plan.refusal) };
    return;
  }
  const created = await deps.writes.createJob(record.namespace, plan.job, record.identity);
  await finishCreated(deps, record, created, `Created Job ${inlineCode(created.metadata?.name ?? '')} with the new values; ${inlineCode(record.name ?? '')} is kept as it was.`);
}
