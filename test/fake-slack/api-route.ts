import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { RateLimitedError, SlackApiError, errorBody } from './api-error.ts';
import type { ScriptedFaults } from './faults.ts';
import type { MethodContext } from './methods/context.ts';
import { METHODS } from './methods/index.ts';
import { decodeForRecord, parseApiRequest, readBody } from './request-body.ts';
import type { SocketModeServer } from './socket-mode.ts';
import type { RecordedCall } from './types.ts';

/** The Socket Mode method, the only one that takes the app-level token. */
export const CONNECTIONS_OPEN = 'apps.connections.open';

/** What the `/api/<method>` route needs besides the request. */
export interface ApiRouteDeps extends Omit<MethodContext, 'args'> {
  botToken: string;
  appToken: string;
  socketMode: SocketModeServer;
  faults: ScriptedFaults;
  calls: RecordedCall[];
  log: Logger;
  /** Aborted by `stop()`, which drops responses still held back by a delay. */
  stopSignal: AbortSignal;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/**
 * Checks the token against the one the method takes. An app-level token (`xapp-`) works
 * only for `apps.connections.open`, and that method takes no other kind of token.
 */
function authenticate(deps: ApiRouteDeps, method: string, token: string | undefined): void {
  if (token === undefined || token === '') throw new SlackApiError('not_authed');
  const wantsAppToken = method === CONNECTIONS_OPEN;
  if (token.startsWith('xapp-') !== wantsAppToken) {
    throw new SlackApiError('not_allowed_token_type');
  }
  if (token !== (wantsAppToken ? deps.appToken : deps.botToken)) {
    throw new SlackApiError('invalid_auth');
  }
}

function rateLimited(retryAfterSeconds: number): Answer {
  return {
    status: 429,
    body: { ok: false, error: 'ratelimited' },
    headers: { 'retry-after': String(retryAfterSeconds) },
  };
}

function runMethod(deps: ApiRouteDeps, method: string, args: Record<string, unknown>): Answer {
  const fault = deps.faults.takeFault(method);
  if (fault?.kind === 'rate-limit') return rateLimited(fault.retryAfterSeconds);
  if (fault?.kind === 'platform-error') throw new SlackApiError(fault.error);
  if (fault?.kind === 'http-status') {
    return {
      status: fault.httpStatus,
      body: { ok: false, error: 'scripted_http_status' },
      headers: {},
    };
  }
  if (method === CONNECTIONS_OPEN) {
    const body = { ok: true, ...deps.socketMode.openConnection(deps.baseUrl) };
    return { status: 200, body, headers: {} };
  }
  const handler = METHODS[method];
  if (!handler) throw new SlackApiError('unknown_method');
  const { state, triggers, postLimiter, updateLimiter, baseUrl } = deps;
  const result = handler({ args, state, triggers, postLimiter, updateLimiter, baseUrl });
  return { status: 200, body: { ok: true, ...result }, headers: {} };
}

function toAnswer(error: unknown, log: Logger, method: string): Answer {
  if (error instanceof SlackApiError) return { status: 200, body: errorBody(error), headers: {} };
  if (error instanceof RateLimitedError) return rateLimited(error.retryAfterSeconds);
  log.error({ err: error, method }, 'fake slack method handler failed');
  // A handler crash is a defect of the fake, so the response carries the stack for the test output.
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return {
    status: 200,
    body: {
      ok: false,
      error: 'fake_slack_internal_error',
      response_metadata: { messages: [detail] },
    },
    headers: {},
  };
}

/** Parses and authenticates one request, then runs the method or its scripted fault. */
async function processRequest(
  deps: ApiRouteDeps,
  method: string,
  req: IncomingMessage,
  url: URL,
): Promise<{ args: Record<string, unknown>; answer: Answer }> {
  const raw = await readBody(req);
  let args: Record<string, unknown> = {};
  try {
    const parsed = await parseApiRequest(req, raw, url);
    args = parsed.args;
    if (!METHODS[method] && method !== CONNECTIONS_OPEN) throw new SlackApiError('unknown_method');
    authenticate(deps, method, parsed.token);
    return { args, answer: runMethod(deps, method, args) };
  } catch (error) {
    return { args, answer: toAnswer(error, deps.log, method) };
  }
}

/** Waits out a scripted delay; returns false when stop() cut it short. */
async function waitScriptedDelay(deps: ApiRouteDeps, method: string): Promise<boolean> {
  const delayMs = deps.faults.takeDelay(method);
  if (delayMs === undefined) return true;
  try {
    await sleep(delayMs, undefined, { signal: deps.stopSignal });
    return true;
  } catch {
    // Aborted by stop(), so the client never gets this held-back response.
    return false;
  }
}

/**
 * Serves `POST /api/<method>`: parses the body, checks the token, applies any
 * scripted fault, runs the handler, records the call and responds. Slack returns
 * HTTP 200 for platform errors and 429 with an integer Retry-After for rate
 * limits; the fake never redirects.
 */
export async function handleApiRequest(
  deps: ApiRouteDeps,
  method: string,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const atMs = deps.state.clock();
  const { args, answer } = await processRequest(deps, method, req, url);
  const { status, body, headers } = answer;
  deps.log.debug({ method, status, error: body.error }, 'fake slack api call');
  deps.calls.push({
    method,
    args: decodeForRecord(args),
    httpStatus: status,
    response: body,
    atMs,
  });

  if (!(await waitScriptedDelay(deps, method)) || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}
