import { fetch, type Dispatcher, type RequestInit } from 'undici';

/**
 * A small Kubernetes REST client for test fixtures: the fake kubelet and the
 * tests create, patch and read objects through it, so what jobwatch reads
 * comes from the API server and not from jobwatch's own client code.
 */
export interface KubeResponse<T = unknown> {
  status: number;
  body: T;
  text: string;
}

export class KubeRequestError extends Error {
  readonly status: number;
  readonly body: string;
  constructor(method: string, path: string, status: number, body: string) {
    super(`${method} ${path} answered ${status}: ${body.slice(0, 500)}`);
    this.status = status;
    this.body = body;
  }
}

export interface KubeClient {
  server: string;
  request<T = unknown>(method: string, path: string, body?: unknown, contentType?: string): Promise<KubeResponse<T>>;
  /** Like `request`, but throws KubeRequestError on any status of 300 or more. */
  call<T = unknown>(method: string, path: string, body?: unknown, contentType?: string): Promise<T>;
  /** Streams watch events until the server ends the watch or `signal` aborts. */
  watch(path: string, onEvent: (event: { type: string; object: Record<string, unknown> }) => void, signal: AbortSignal): Promise<void>;
}

export function createKubeClient(server: string, dispatcher: Dispatcher, headers: Record<string, string> = {}): KubeClient {
  const request = async <T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<KubeResponse<T>> => {
    const init: RequestInit & { dispatcher: Dispatcher } = {
      method,
      dispatcher,
      headers: { accept: 'application/json', ...headers, ...(body === undefined ? {} : { 'content-type': contentType }) },
    };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const res = await fetch(`${server}${path}`, init);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Plain text responses (logs, some errors) stay text.
    }
    return { status: res.status, body: parsed as T, text };
  };
  return {
    server,
    request,
    async call<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
      const res = await request<T>(method, path, body, contentType);
      if (res.status >= 300) throw new KubeRequestError(method, path, res.status, res.text);
      return res.body;
    },
    async watch(path, onEvent, signal) {
      const res = await fetch(`${server}${path}`, { dispatcher, signal, headers: { accept: 'application/json', ...headers } });
      if (res.status !== 200 || !res.body) throw new KubeRequestError('GET', path, res.status, await res.text());
      const decoder = new TextDecoder();
      let buffered = '';
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line) onEvent(JSON.parse(line) as { type: string; object: Record<string, unknown> });
          newline = buffered.indexOf('\n');
        }
      }
    },
  };
}
