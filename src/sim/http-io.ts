import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, type Status } from './status.ts';

/** Largest request body the server reads, in bytes. Objects are small; this stops runaways. */
const maxBodyBytes = 3 * 1024 * 1024;

/** Sends `body` as JSON with the given HTTP status. */
export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

/** Sends a Status error with its code as the HTTP status. */
export function sendStatus(res: ServerResponse, status: Status): void {
  sendJson(res, status.code, status);
}

/** Reads and parses a JSON request body. Throws a 400 StatusError for invalid JSON. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBodyBytes) throw badRequest(`request body is larger than ${maxBodyBytes} bytes`);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(`request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Reads an integer query parameter; absent gives `undefined`, anything else invalid gives 400. */
export function intParam(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw badRequest(`invalid ${name} "${value}": must be a non-negative integer`);
  }
  return parsed;
}

/** Reads a boolean query parameter the way the API server does: `true` or `1` is true. */
export function boolParam(params: URLSearchParams, name: string): boolean {
  const value = params.get(name);
  return value === 'true' || value === '1';
}
