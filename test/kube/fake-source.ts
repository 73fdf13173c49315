import { KubeApiError } from '../../src/kube/errors.ts';
import type {
  ListPage,
  ListRequest,
  ListWatchSource,
  RawObject,
  WatchEvent,
  WatchRequest,
} from '../../src/kube/list-watch-source.ts';

type ListStep = (request: ListRequest) => ListPage | Promise<ListPage>;
type WatchStep = (request: WatchRequest) => void | Promise<void>;

/**
 * A list-watch source that plays scripted steps in order. Once a script runs out, the
 * next request hangs until its signal aborts, the way an idle API server keeps a watch open.
 */
export class ScriptedSource implements ListWatchSource {
  readonly listRequests: ListRequest[] = [];
  readonly watchRequests: WatchRequest[] = [];
  readonly #lists: ListStep[] = [];
  readonly #watches: WatchStep[] = [];

  /** Queues list responses, each a page or a function that returns or throws. */
  onList(...steps: (ListPage | ListStep)[]): this {
    for (const step of steps) this.#lists.push(typeof step === 'function' ? step : () => step);
    return this;
  }

  /** Queues watch behaviours; an array of events is sent and then the stream ends. */
  onWatch(...steps: (WatchEvent[] | WatchStep)[]): this {
    for (const step of steps) {
      this.#watches.push(typeof step === 'function' ? step : sendThenEnd(step));
    }
    return this;
  }

  async list(request: ListRequest): Promise<ListPage> {
    this.listRequests.push(request);
    const step = this.#lists.shift();
    if (!step) return hangUntilAborted(request.signal);
    return step(request);
  }

  async watch(request: WatchRequest): Promise<void> {
    this.watchRequests.push(request);
    const step = this.#watches.shift();
    if (!step) return hangUntilAborted(request.signal);
    await step(request);
  }
}

function sendThenEnd(events: WatchEvent[]): WatchStep {
  return (request) => {
    for (const event of events) request.onEvent(event);
  };
}

/** Builds a watch step that sends events and then keeps the stream open until aborted. */
export function sendThenHang(events: WatchEvent[]): WatchStep {
  return (request) => {
    for (const event of events) request.onEvent(event);
    return hangUntilAborted(request.signal);
  };
}

/** Builds a step that fails the request with an HTTP status, like a non-200 response. */
export function failWith(code: number, reason = 'InternalError'): () => never {
  return () => {
    throw new KubeApiError({ code, reason, statusMessage: `scripted ${code}` });
  };
}

/** Returns a promise that rejects with an AbortError once `signal` aborts. */
export function hangUntilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    const abort = () => reject(new DOMException('This operation was aborted', 'AbortError'));
    if (signal.aborted) abort();
    signal.addEventListener('abort', abort, { once: true });
  });
}

/** Builds a raw Job with the fields the tests slim down to. */
export function rawJob(name: string, resourceVersion: string, failed = 0): RawObject {
  return {
    metadata: { name, namespace: 'ci', uid: `uid-${name}`, resourceVersion },
    status: { failed },
  };
}

/** Builds one list page. */
export function page(
  resourceVersion: string,
  items: RawObject[],
  continueToken?: string,
): ListPage {
  return continueToken === undefined
    ? { items, resourceVersion }
    : { items, resourceVersion, continueToken };
}

export function added(object: RawObject): WatchEvent {
  return { type: 'ADDED', object };
}

export function modified(object: RawObject): WatchEvent {
  return { type: 'MODIFIED', object };
}

export function deleted(object: RawObject): WatchEvent {
  return { type: 'DELETED', object };
}

export function bookmark(resourceVersion: string): WatchEvent {
  return { type: 'BOOKMARK', object: { kind: 'Job', metadata: { resourceVersion } } };
}

/** Builds the ERROR event an API server sends when the watched resourceVersion was compacted. */
export function expired(resourceVersion: string): WatchEvent {
  return {
    type: 'ERROR',
    object: {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      message: `too old resource version: ${resourceVersion} (9000)`,
      reason: 'Expired',
      code: 410,
    },
  };
}
