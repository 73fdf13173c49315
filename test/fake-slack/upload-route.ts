import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseMultipart, readBody } from './request-body.ts';
import type { WorkspaceState } from './state.ts';

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

/** Extracts the file bytes: the `file` or `body` part of a multipart body, else the raw body. */
async function fileBytes(req: IncomingMessage, raw: Buffer): Promise<Buffer | undefined> {
  const contentType = req.headers['content-type'] ?? '';
  if (!contentType.toLowerCase().startsWith('multipart/form-data')) return raw;
  const fields = await parseMultipart(contentType, raw);
  const part = fields.get('file') ?? fields.get('body');
  if (part === undefined) return undefined;
  return typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
}

/**
 * Serves `POST /upload/<file id>`, step 2 of Slack's external upload flow.
 * web-api 8 sends a multipart body with one part named `body`; a raw body is
 * accepted too. The byte count must equal the `length` announced in step 1,
 * otherwise the fake responds 400, which makes the SDK's upload fail.
 */
export async function handleUpload(
  state: WorkspaceState,
  fileId: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const raw = await readBody(req);
  const file = state.files.get(fileId);
  if (!file) {
    answer(res, 404, `unknown upload id ${fileId}`);
    return;
  }
  let bytes: Buffer | undefined;
  try {
    bytes = await fileBytes(req, raw);
  } catch (error) {
    answer(res, 400, `unparsable multipart body: ${String(error)}`);
    return;
  }
  if (bytes === undefined) {
    answer(res, 400, 'multipart body has no part named file or body');
    return;
  }
  if (bytes.length !== file.length) {
    answer(
      res,
      400,
      `received ${bytes.length} bytes for ${fileId}, but length ${file.length} was announced`,
    );
    return;
  }
  file.bytes = bytes;
  answer(res, 200, `OK - ${bytes.length}`);
}
