import { jobEvent } from './job-events.ts';
import { fieldsOf } from './job-pod-state.ts';
import type { ObjectStore } from './object-store.ts';

/**
 * Writes what the simulated job controller reports about one Job: status counters and
 * conditions, as a write to the `status` subresource would, and Events.
 */

type Fields = Record<string, unknown>;

/** The Job being written about and its pod counters. */
export interface RecordedJob {
  namespace: string;
  name: string;
  succeeded: number;
  failed: number;
}

function jobRef(job: RecordedJob) {
  return { apiVersion: 'batch/v1', kind: 'Job', namespace: job.namespace, name: job.name };
}

/** Status and Event writer of the simulated job controller. */
export class JobRecorder {
  readonly #store: ObjectStore;
  readonly #now: () => Date;

  constructor(store: ObjectStore, now: () => Date) {
    this.#store = store;
    this.#now = now;
  }

  /**
   * Writes the counters and `fields` into the Job's status. Zero counts are left out and
   * `active` only changes when given, as the real controller encodes them.
   */
  status(job: RecordedJob, fields: Fields): void {
    const stored = this.#store.get(jobRef(job));
    if (stored === undefined) return;
    const { active, ...rest } = fields;
    const status: Fields = { ...fieldsOf(stored['status']), terminating: 0, uncountedTerminatedPods: {}, ready: 0, ...rest };
    for (const [key, value] of [['active', active], ['succeeded', job.succeeded], ['failed', job.failed]] as const) {
      if (value === undefined) continue;
      if (value === 0) delete status[key];
      else status[key] = value;
    }
    stored['status'] = status;
    this.#store.update(stored);
  }

  /** Appends conditions to the Job's status together with other status fields. */
  addConditions(job: RecordedJob, conditions: Fields[], fields: Fields = {}): void {
    const stored = this.#store.get(jobRef(job));
    const existing = (fieldsOf(stored?.['status'])['conditions'] ?? []) as Fields[];
    this.status(job, { ...fields, conditions: [...existing, ...conditions] });
  }

  /** Records an Event about the Job. */
  event(job: RecordedJob, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const stored = this.#store.get(jobRef(job));
    if (stored !== undefined) this.#store.create(jobEvent(stored, type, reason, message, this.#now()));
  }
}
