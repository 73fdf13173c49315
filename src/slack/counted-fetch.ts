/**
 * The one place where jobwatch counts its Slack Web API calls: a `fetch` for `WebClient`
 * that reads each response's status and `ok`/`error` fields. Every client jobwatch builds,
 * Bolt's included, gets it through `webClientOptions`, so no call site counts on its own.
 */
import type { FetchFunction } from '@slack/web-api';
import type { Metrics } from '../metrics/metrics.ts';

/** Web API method names, such as `chat.postMessage`. */
const METHOD_PATTERN = /^[a-zA-Z]+(\.[a-zA-Z]+)+$/;

/**
 * Wraps `inner` so that each HTTP request is counted once by method and result: `ok`,
 * `rate_limited` (with Retry-After), `network` when no response came, Slack's error code
 * such as `channel_not_found`, or `http_<status>`. The client's own retries count apiece.
 * Requests outside `apiUrl`, such as file uploads to their upload URL, count as `upload`.
 */
export function countedFetch(
  metrics: Pick<Metrics, 'slackCall'>,
  apiUrl: string,
  inner: typeof fetch = fetch,
): FetchFunction {
  return async (url, init) => {
    const method = methodOf(String(url), apiUrl);
    let response: Response;
    try {
      response = await inner(url, init);
    } catch (err) {
      metrics.slackCall(method, 'network');
      throw err;
    }
    const retryAfter = response.status === 429 ? retryAfterSeconds(response) : undefined;
    metrics.slackCall(method, await resultOf(response), retryAfter);
    return response;
  };
}

function methodOf(url: string, apiUrl: string): string {
  if (!url.startsWith(apiUrl)) return 'upload';
  const name = url.slice(apiUrl.length).split(/[?#]/)[0] ?? '';
  return METHOD_PATTERN.test(name) ? name : 'unknown';
}

async function resultOf(response: Response): Promise<string> {
  if (response.status === 429) return 'rate_limited';
  if (response.status !== 200) return `http_${response.status}`;
  if (!(response.headers.get('content-type') ?? '').includes('json')) return 'ok';
  // The client reads the original body; a clone leaves it untouched.
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => undefined);
  if (typeof body !== 'object' || body === null || !('ok' in body)) return 'invalid_response';
  if (body.ok === true) return 'ok';
  const error = 'error' in body && typeof body.error === 'string' ? body.error : 'unknown_error';
  return error === 'ratelimited' ? 'rate_limited' : error;
}

function retryAfterSeconds(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}
