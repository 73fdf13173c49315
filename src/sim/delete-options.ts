import type { IncomingMessage } from 'node:http';
import { readJsonBody } from './http-io.ts';
import { typeOfObject, type KubeObject } from './resources.ts';
import { failureStatus, StatusError } from './status.ts';

/** The parts of a `DeleteOptions` body that this server acts on. */
export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  /** `Background`, `Foreground` or `Orphan`; read by `readPropagation` in deletion.ts. */
  propagationPolicy?: string;
}

/** Reads the optional `DeleteOptions` body of a DELETE request. A request without a body has none. */
export async function readDeleteOptions(req: IncomingMessage): Promise<DeleteOptions> {
  const length = Number(req.headers['content-length'] ?? 0);
  if (length === 0 && req.headers['transfer-encoding'] === undefined) return {};
  const body = await readJsonBody(req);
  return body !== null && typeof body === 'object' ? (body) : {};
}

function preconditionFailed(object: KubeObject, detail: string): StatusError {
  const name = object.metadata.name ?? '';
  const type = typeOfObject(object);
  const group = type?.group ?? '';
  // The message names the kind with its group (`Job.batch`), and details name the kind too.
  const qualified = group === '' ? object.kind : `${object.kind}.${group}`;
  const message = `Operation cannot be fulfilled on ${qualified} "${name}": ${detail}`;
  const details = { name, ...(group === '' ? {} : { group }), kind: object.kind };
  return new StatusError(failureStatus(409, 'Conflict', message, details));
}

/**
 * Checks `preconditions` of a delete against the stored object, with the real server's 409
 * Conflict messages. The uid is checked before the resourceVersion, as the real server does.
 */
export function checkPreconditions(object: KubeObject, preconditions: DeleteOptions['preconditions']): void {
  const { uid, resourceVersion } = object.metadata;
  if (preconditions?.uid !== undefined && preconditions.uid !== uid) {
    throw preconditionFailed(
      object,
      `the UID in the precondition (${preconditions.uid}) does not match the UID in record ` +
        `(${uid ?? ''}). The object might have been deleted and then recreated`,
    );
  }
  const expected = preconditions?.resourceVersion;
  if (expected !== undefined && expected !== resourceVersion) {
    throw preconditionFailed(
      object,
      `the ResourceVersion in the precondition (${expected}) does not match the ResourceVersion ` +
        `in record (${resourceVersion ?? ''}). The object might have been modified`,
    );
  }
}
