import { ApiException } from '@kubernetes/client-node';

/** The Kubernetes object a request was about, for error messages and logs. */
export interface KubeObjectRef {
  kind?: string | undefined;
  namespace?: string | undefined;
  name?: string | undefined;
}

/** The fields a {@link KubeApiError} is built from. Each may be unknown. */
export interface KubeApiErrorFields {
  code?: number | undefined;
  reason?: string | undefined;
  statusMessage?: string | undefined;
  object?: KubeObjectRef | undefined;
}

/** Fields that a Kubernetes `Status` body carries on a failed request. */
interface StatusFields {
  reason?: string;
  message?: string;
  code?: number;
}

/**
 * A failed Kubernetes API request, normalised from client-node's `ApiException`, a
 * non-200 watch or list response, or a transport error (connection refused, reset,
 * timed out).
 */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  /** The HTTP status, or `undefined` when no response arrived (transport error). */
  readonly code: number | undefined;
  /** The `Status` reason (`NotFound`, `Expired`, …) or, for transport errors, the socket code. */
  readonly reason: string | undefined;
  /** The server's own message from the `Status` body, without the context this class adds. */
  readonly statusMessage: string | undefined;
  /** The object the request was about. */
  readonly object: KubeObjectRef;

  constructor(fields: KubeApiErrorFields, options?: { cause?: unknown }) {
    super(formatMessage(fields), options);
    this.code = fields.code;
    this.reason = fields.reason;
    this.statusMessage = fields.statusMessage;
    this.object = fields.object ?? {};
  }

  /**
   * Whether retrying the same request cannot succeed: 400, 401, 403, 404, 410, 422 and the
   * other 4xx statuses, except 408 (timeout), 409 (conflict) and 429 (rate limit). Those,
   * 5xx statuses and transport errors are transient and worth a retry with backoff.
   */
  get isPermanent(): boolean {
    const code = this.code;
    if (code === undefined) return false;
    if (code === 408 || code === 409 || code === 429) return false;
    return code >= 400 && code < 500;
  }

  /** Whether the response status is 404 Not Found. */
  get isNotFound(): boolean {
    return this.code === 404;
  }

  /** Whether the response status is 410 Gone (an expired resourceVersion or continue token). */
  get isGone(): boolean {
    return this.code === 410;
  }
}

function formatMessage(fields: KubeApiErrorFields): string {
  const target = describeObject(fields.object);
  const status =
    fields.code === undefined
      ? `failed without a response (${fields.reason ?? 'transport error'})`
      : `failed with ${fields.code}${fields.reason ? ` ${fields.reason}` : ''}`;
  const detail = fields.statusMessage ? `: ${fields.statusMessage}` : '';
  const hint = hintFor(fields.code);
  return `Kubernetes API request for ${target} ${status}${detail}${hint ? `. ${hint}` : ''}`;
}

/** Returns what to check for failures caused by the caller's own setup. */
function hintFor(code: number | undefined): string | undefined {
  if (code === undefined) return 'Check that the API server address of the kubeconfig context is reachable';
  if (code === 401) return 'The API server rejected the credentials: check the token or client certificate of the kubeconfig context';
  if (code === 403) return "The identity lacks permission: check the RBAC Role or ClusterRole bound to jobwatch's account";
  return undefined;
}

/**
 * Formats an object reference as `Job team-a/nightly`, `Pod list in namespace team-a`
 * when only the namespace is known, or `the resource` when it is empty.
 */
export function describeObject(object: KubeObjectRef | undefined): string {
  if (!object || (!object.kind && !object.name && !object.namespace)) return 'the resource';
  if (!object.name) {
    const list = object.kind ? `${object.kind} list` : 'list';
    return object.namespace ? `${list} in namespace ${object.namespace}` : list;
  }
  const path = [object.namespace, object.name].filter(Boolean).join('/');
  return [object.kind, path].filter(Boolean).join(' ');
}

/**
 * Converts any error from a Kubernetes call into a {@link KubeApiError}.
 *
 * client-node's `ApiException` often carries the `Status` body as a JSON string, so the
 * body is parsed when it is one. Errors that carry `statusCode` (client-node's `Watch`)
 * and fetch's transport errors (a `TypeError` whose `cause` has a socket `code`) are
 * recognised too. A `KubeApiError` passes through, gaining `object` when it had none.
 */
export function toKubeApiError(err: unknown, object?: KubeObjectRef): KubeApiError {
  if (err instanceof KubeApiError) {
    if (!object || describeObject(err.object) !== 'the resource') return err;
    const fields = { code: err.code, reason: err.reason, statusMessage: err.statusMessage, object };
    return new KubeApiError(fields, { cause: err.cause });
  }
  if (err instanceof ApiException) {
    const status = parseStatus(err.body);
    // A plain-text body (pods/log errors, proxies) is the message itself. The exception's
    // own message repeats headers and body, so it is only the last resort.
    const statusMessage = status.message ?? plainBody(err.body) ?? exceptionMessage(err.message);
    return new KubeApiError(
      { code: err.code, reason: status.reason, statusMessage, object },
      { cause: err },
    );
  }
  const statusCode = readNumber(err, 'statusCode');
  if (statusCode !== undefined) {
    return new KubeApiError(
      { code: statusCode, statusMessage: messageOf(err), object },
      { cause: err },
    );
  }
  return new KubeApiError(
    { reason: transportReason(err), statusMessage: messageOf(err), object },
    { cause: err },
  );
}

/** Builds a `KubeApiError` from a non-2xx response body, which is usually a `Status`. */
export function kubeApiErrorFromResponse(
  code: number,
  bodyText: string,
  object?: KubeObjectRef,
): KubeApiError {
  const status = parseStatus(bodyText);
  const fallback = bodyText.trim().slice(0, 300) || undefined;
  return new KubeApiError({
    code,
    reason: status.reason,
    statusMessage: status.message ?? fallback,
    object,
  });
}

/** Builds a `KubeApiError` from the `Status` object of a watch `ERROR` event. */
export function kubeApiErrorFromStatus(status: unknown, object?: KubeObjectRef): KubeApiError {
  const fields = parseStatus(status);
  return new KubeApiError({
    code: fields.code ?? 500,
    reason: fields.reason,
    statusMessage: fields.message,
    object,
  });
}

function parseStatus(body: unknown): StatusFields {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      // A plain-text body (a proxy's error page, a kubelet message) has no Status fields.
      return {};
    }
  }
  if (typeof value !== 'object' || value === null) return {};
  const fields: StatusFields = {};
  const reason = readString(value, 'reason');
  const message = readString(value, 'message');
  const code = readNumber(value, 'code');
  if (reason) fields.reason = reason;
  if (message) fields.message = message;
  if (code !== undefined) fields.code = code;
  return fields;
}

function plainBody(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined;
  const text = body.trim();
  return text === '' ? undefined : text.slice(0, 300);
}

function transportReason(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return err.name;
  }
  const cause = err instanceof Error ? err.cause : undefined;
  return readString(cause, 'code') ?? readString(err, 'code') ?? 'transport error';
}

function messageOf(err: unknown): string | undefined {
  if (err === undefined) return undefined;
  if (!(err instanceof Error)) return typeof err === 'string' ? err : JSON.stringify(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}

function readString(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
}

function readNumber(value: unknown, key: string): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'number' ? field : undefined;
}

/**
 * Extracts the `Message:` line of client-node's exception text, which otherwise repeats
 * the code, the headers and the body.
 */
function exceptionMessage(text: string): string | undefined {
  return /^Message: (.+)$/m.exec(text)?.[1]?.trim();
}
