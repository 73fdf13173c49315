import { HttpMethod, IsomorphicFetchHttpLibrary, RequestContext } from '@kubernetes/client-node';
import type { KubeConfig, ResponseContext } from '@kubernetes/client-node';
import { kubeApiErrorFromResponse, KubeApiError, toKubeApiError } from './errors.ts';
import type {
  ListPage,
  ListRequest,
  ListWatchSource,
  RawObject,
  SelectorQuery,
  WatchEvent,
  WatchRequest,
} from './list-watch-source.ts';

const EVENT_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/**
 * Creates a list-watch source that talks to the cluster of `kc`'s current context, sending
 * `options.userAgent` as `User-Agent` when given.
 *
 * Requests go through client-node's own HTTP stack (its undici dispatcher and
 * `applySecurityAuthentication`), so TLS, tokens, exec plugins and proxies behave as in
 * the generated API clients. The stream is read here rather than through client-node's
 * `Watch`, because `Watch` aborts any stream that is quiet for 30 s (client-node 2.0.1,
 * `src/watch.ts`) and skips lines it cannot parse. Here the server's `timeoutSeconds` and
 * the loop's stall watchdog decide when a stream ends, and a bad line fails the watch so
 * the loop resumes from the last good resourceVersion.
 */
export function createHttpListWatchSource(kc: KubeConfig, options: { userAgent?: string } = {}): ListWatchSource {
  const http = new IsomorphicFetchHttpLibrary();

  async function send(url: URL, signal: AbortSignal): Promise<ResponseContext> {
    const context = new RequestContext(url.toString(), HttpMethod.GET);
    context.setHeaderParam('Accept', 'application/json');
    // A User-Agent naming the replica shows in the API server's audit log which one watches.
    if (options.userAgent !== undefined) context.setHeaderParam('User-Agent', options.userAgent);
    await kc.applySecurityAuthentication(context);
    context.setSignal(signal);
    try {
      return await http.send(context).toPromise();
    } catch (err) {
      throw toKubeApiError(err);
    }
  }

  return {
    async list(request: ListRequest): Promise<ListPage> {
      const url = buildUrl(kc, request);
      url.searchParams.set('limit', String(request.limit));
      if (request.continueToken) url.searchParams.set('continue', request.continueToken);
      const response = await send(url, request.signal);
      const text = await response.body.text();
      if (response.httpStatusCode !== 200) {
        throw kubeApiErrorFromResponse(response.httpStatusCode, text);
      }
      return parseListPage(text, request.path);
    },

    async watch(request: WatchRequest): Promise<void> {
      const url = buildUrl(kc, request);
      url.searchParams.set('watch', 'true');
      url.searchParams.set('resourceVersion', request.resourceVersion);
      url.searchParams.set('timeoutSeconds', String(request.timeoutSeconds));
      if (request.allowWatchBookmarks) url.searchParams.set('allowWatchBookmarks', 'true');
      const response = await send(url, request.signal);
      if (response.httpStatusCode !== 200) {
        throw kubeApiErrorFromResponse(response.httpStatusCode, await response.body.text());
      }
      const stream = response.body.stream();
      if (!stream) {
        throw new KubeApiError({ code: 200, statusMessage: 'watch response has no body' });
      }
      try {
        for await (const line of readLines(stream)) request.onEvent(parseWatchLine(line));
      } catch (err) {
        throw err instanceof KubeApiError ? err : toKubeApiError(err);
      }
    },
  };
}

function buildUrl(kc: KubeConfig, query: SelectorQuery): URL {
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new Error(
      `Kubernetes context "${kc.getCurrentContext()}" has no cluster; check the kubeconfig.`,
    );
  }
  // The server URL may carry a path prefix (an API server behind a proxy), so append to it.
  const url = new URL(cluster.server.replace(/\/+$/, '') + query.path);
  if (query.labelSelector) url.searchParams.set('labelSelector', query.labelSelector);
  if (query.fieldSelector) url.searchParams.set('fieldSelector', query.fieldSelector);
  return url;
}

function parseListPage(text: string, path: string): ListPage {
  const body = parseJson(text, `list of ${path}`);
  const metadata = (body['metadata'] ?? {}) as Record<string, unknown>;
  const items = body['items'];
  if (!Array.isArray(items) || typeof metadata['resourceVersion'] !== 'string') {
    throw new KubeApiError({
      code: 200,
      reason: 'InvalidList',
      statusMessage: `list of ${path} has no items array or no metadata.resourceVersion`,
    });
  }
  const continueToken = metadata['continue'];
  return {
    items: items as RawObject[],
    resourceVersion: metadata['resourceVersion'],
    ...(typeof continueToken === 'string' && continueToken !== '' && { continueToken }),
  };
}

/** Decodes one line of a watch stream, which must be a JSON `{type, object}` pair. */
export function parseWatchLine(line: string): WatchEvent {
  const value = parseJson(line, 'watch event');
  const type = value['type'];
  const object = value['object'];
  if (typeof type !== 'string' || !EVENT_TYPES.has(type) || typeof object !== 'object' || !object) {
    throw new KubeApiError({
      code: 200,
      reason: 'InvalidWatchEvent',
      statusMessage: `watch event has an unknown type or no object: ${line.slice(0, 200)}`,
    });
  }
  return { type: type as WatchEvent['type'], object: object as RawObject };
}

function parseJson(text: string, subject: string): RawObject {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as RawObject;
    }
  } catch {
    // Reported below with the offending text.
  }
  throw new KubeApiError({
    code: 200,
    reason: 'InvalidJson',
    statusMessage: `${subject} is not a JSON object: ${text.slice(0, 200)}`,
  });
}

/** Splits a byte stream into non-empty UTF-8 lines, as the API server sends watch events. */
export async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) yield line;
      newline = buffered.indexOf('\n');
    }
  }
  const rest = (buffered + decoder.decode()).trim();
  if (rest) yield rest;
}
