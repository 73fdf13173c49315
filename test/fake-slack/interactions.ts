import { randomBytes } from 'node:crypto';
import { SlackApiError } from './api-error.ts';
import type { ResponseUrlContext } from './types.ts';

/** A trigger_id lives 3 s after the interaction that minted it (Slack's documented limit). */
export const TRIGGER_TTL_MS = 3000;
/** A response_url accepts 5 posts within 30 minutes (Slack's documented limits). */
export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

interface Trigger {
  issuedAtMs: number;
  used: boolean;
  viewId?: string;
}

/**
 * Trigger ids on the fake clock. An exchange (views.open or views.push) fails with
 * `invalid_trigger_id` for an id never issued, `exchanged_trigger_id` for one
 * already used, and `expired_trigger_id` once 3000 ms have passed.
 */
export class TriggerStore {
  private readonly triggers = new Map<string, Trigger>();
  private readonly clock: () => number;

  constructor(clock: () => number) {
    this.clock = clock;
  }

  /** Mints a trigger id; `viewId` is the modal the interaction happened in, if any. */
  issue(context: { viewId?: string } = {}): string {
    const id = `${Math.floor(this.clock() / 1000)}.${randomBytes(8).toString('hex')}`;
    const trigger: Trigger = { issuedAtMs: this.clock(), used: false };
    if (context.viewId !== undefined) trigger.viewId = context.viewId;
    this.triggers.set(id, trigger);
    return id;
  }

  /** Marks the trigger used and returns its context, or throws Slack's error code. */
  exchange(id: unknown): { viewId?: string } {
    if (typeof id !== 'string' || id === '') throw new SlackApiError('invalid_trigger_id');
    const trigger = this.triggers.get(id);
    if (!trigger) throw new SlackApiError('invalid_trigger_id');
    if (trigger.used) throw new SlackApiError('exchanged_trigger_id');
    if (this.clock() - trigger.issuedAtMs > TRIGGER_TTL_MS) {
      throw new SlackApiError('expired_trigger_id');
    }
    trigger.used = true;
    return trigger.viewId === undefined ? {} : { viewId: trigger.viewId };
  }
}

interface ResponseUrl {
  issuedAtMs: number;
  uses: number;
  context: ResponseUrlContext;
}

/** Response URLs the fake hosts at `/response/<id>`, with their use count and age. */
export class ResponseUrlStore {
  private readonly urls = new Map<string, ResponseUrl>();
  private readonly clock: () => number;

  constructor(clock: () => number) {
    this.clock = clock;
  }

  issue(context: ResponseUrlContext): string {
    const id = randomBytes(12).toString('hex');
    this.urls.set(id, { issuedAtMs: this.clock(), uses: 0, context });
    return id;
  }

  /**
   * Counts one use and returns the context, or a reason the post must be
   * rejected: unknown id, more than 5 uses, or older than 30 minutes.
   */
  use(id: string): { context: ResponseUrlContext } | { rejected: string } {
    const url = this.urls.get(id);
    if (!url) return { rejected: `unknown response_url id ${id}` };
    if (this.clock() - url.issuedAtMs > RESPONSE_URL_TTL_MS) {
      return { rejected: `response_url ${id} expired after 30 minutes` };
    }
    if (url.uses >= RESPONSE_URL_MAX_USES) {
      return { rejected: `response_url ${id} was already used ${RESPONSE_URL_MAX_USES} times` };
    }
    url.uses += 1;
    return { context: url.context };
  }
}
