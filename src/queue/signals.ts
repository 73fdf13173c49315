import { z } from 'zod';

/**
 * Queue payloads from the watcher to the worker. Every payload carries `v`, so
 * replicas of two versions can share a queue during an upgrade: a worker rejects
 * versions it does not know instead of misreading them.
 */
export const SIGNAL_VERSION = 1;

const logSchema = z.object({
  namespace: z.string(),
  pod: z.string(),
  container: z.string(),
  previous: z.boolean(),
  text: z.string(),
  truncated: z.boolean().optional(),
});

/** A failed attempt, with what the watcher read about it while the pod still existed. */
const attemptSchema = z.object({
  key: z.string(),
  podUid: z.string(),
  pod: z.string(),
  container: z.string().optional(),
  init: z.boolean().optional(),
  node: z.string().optional(),
  index: z.number().int().optional(),
  restartCount: z.number().int().optional(),
  exitCode: z.number().int().optional(),
  reason: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
});

const evidenceSchema = z.object({
  /** The whole Pod as read at the time of the failure, `managedFields` removed. */
  pod: z.record(z.string(), z.unknown()).optional(),
  logs: z.array(logSchema),
  missing: z.array(z.string()),
});

const base = {
  v: z.literal(SIGNAL_VERSION),
  jobUid: z.string().min(1),
  namespace: z.string().min(1),
  jobName: z.string().min(1),
  observedAt: z.string(),
  /** Seen in the first list of a brand-new install: record, post only if recent. */
  bootstrap: z.boolean().optional(),
};

export const signalSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('attempt-failed'), attempt: attemptSchema, evidence: evidenceSchema.optional() }),
  z.object({
    ...base,
    type: z.literal('stuck'),
    stuck: z.object({
      key: z.string(),
      pod: z.string().optional(),
      container: z.string().optional(),
      reason: z.string(),
      message: z.string().optional(),
      since: z.string(),
    }),
  }),
  z.object({ ...base, type: z.literal('job-failed'), condition: z.object({ type: z.string(), reason: z.string(), message: z.string(), at: z.string() }) }),
  z.object({ ...base, type: z.literal('job-completed'), completedAt: z.string().optional() }),
  z.object({ ...base, type: z.literal('job-deleted') }),
]);

export type Signal = z.infer<typeof signalSchema>;
export type AttemptSignal = Extract<Signal, { type: 'attempt-failed' }>;
export type CapturedEvidence = z.infer<typeof evidenceSchema>;
export type AttemptRecord = z.infer<typeof attemptSchema>;

/** Returns the BullMQ job id of a signal; equal signals get equal ids, so re-sends are dropped. */
export function signalJobId(signal: Signal): string {
  switch (signal.type) {
    case 'attempt-failed':
      return `${signal.jobUid}.attempt.${signal.attempt.key}`;
    case 'stuck':
      return `${signal.jobUid}.stuck.${signal.stuck.key}`;
    case 'job-failed':
      // FailureTarget and Failed arrive as two signals; both must get through.
      return `${signal.jobUid}.${signal.condition.type}`;
    case 'job-completed':
      return `${signal.jobUid}.completed`;
    case 'job-deleted':
      return `${signal.jobUid}.deleted`;
  }
}

/** Parses queue data, with an error that names the field when it is malformed. */
export function parseSignal(data: unknown): Signal {
  const result = signalSchema.safeParse(data);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const path = first?.path.join('.') || '(root)';
  throw new Error(`invalid signal payload at ${path}: ${first?.message ?? 'unknown problem'}`);
}
