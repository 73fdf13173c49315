import { createHmac } from 'node:crypto';

/** Slack's content type for commands and interactions, sent without a charset. */
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** Headers that sign one request the way Slack does. */
export interface SlackSignatureHeaders {
  'x-slack-request-timestamp': string;
  'x-slack-signature': string;
}

/**
 * Signs a request body as Slack does: `v0=` plus the lowercase hex HMAC-SHA256,
 * keyed with the signing secret, of `v0:<timestamp>:<exact body>`.
 * `timestampSeconds` defaults to the current wall-clock Unix time, because
 * receivers compare it with their own clock.
 */
export function signRequest(
  signingSecret: string,
  body: string,
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): SlackSignatureHeaders {
  const timestamp = String(Math.floor(timestampSeconds));
  const digest = createHmac('sha256', signingSecret)
    .update(`v0:${timestamp}:${body}`, 'utf8')
    .digest('hex');
  return { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': `v0=${digest}` };
}

/** Ways to bend one delivery, for tests of the receiver's checks. */
export interface DeliveryOptions {
  /** Signing time in Unix seconds; pass one over 5 minutes old for a stale request. */
  timestampSeconds?: number;
  /** Replaces the computed `x-slack-signature`, to send a forged signature. */
  signature?: string;
  /** Sends `X-Slack-Retry-Num`, as Slack does on Events API redeliveries. */
  retryNum?: number;
  /** Sends `X-Slack-Retry-Reason`, e.g. `http_timeout`. */
  retryReason?: string;
}

/** Exact bytes and headers of a sent request, so a test can replay it. */
export interface SentRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** The app's response to one delivery. */
export interface SlackDelivery {
  status: number;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: unknown;
  request: SentRequest;
}

async function send(request: SentRequest): Promise<SlackDelivery> {
  const response = await fetch(request.url, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
    redirect: 'manual',
  });
  const body = await response.text();
  const delivery: SlackDelivery = { status: response.status, body, request };
  try {
    if (body !== '') delivery.json = JSON.parse(body) as unknown;
  } catch {
    // Plain-text acks (a string passed to ack()) stay in `body` only.
  }
  return delivery;
}

/** Signs a form body and POSTs it to the app with Slack's headers. */
export async function deliver(
  appUrl: string,
  signingSecret: string,
  body: string,
  options: DeliveryOptions = {},
): Promise<SlackDelivery> {
  const signed = signRequest(signingSecret, body, options.timestampSeconds);
  const headers: Record<string, string> = {
    'content-type': FORM_CONTENT_TYPE,
    'x-slack-request-timestamp': signed['x-slack-request-timestamp'],
    'x-slack-signature': options.signature ?? signed['x-slack-signature'],
  };
  if (options.retryNum !== undefined) headers['x-slack-retry-num'] = String(options.retryNum);
  if (options.retryReason !== undefined) headers['x-slack-retry-reason'] = options.retryReason;
  return send({ url: appUrl, body, headers });
}

/** Sends the same bytes with the same headers again, as a replay attack would. */
export async function replay(request: SentRequest): Promise<SlackDelivery> {
  return send(request);
}

/**
 * Sends the same body again with a fresh signature and the retry headers, as
 * Slack does when it redelivers an event.
 */
export async function redeliver(
  signingSecret: string,
  request: SentRequest,
  retry: { retryNum: number; retryReason: string },
): Promise<SlackDelivery> {
  return deliver(request.url, signingSecret, request.body, retry);
}
