import type { KubeObject } from './resources.ts';
import { badRequest, StatusError, failureStatus } from './status.ts';
import { strategicMerge } from './strategic-merge.ts';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Applies an RFC 7386 JSON merge patch: objects merge key by key, `null` deletes, the rest replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

interface Operation {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`invalid JSON pointer "${path}": must start with "/"`);
  return path.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

function parentOf(document: unknown, tokens: string[], path: string): [Container, string] {
  let current: unknown = document;
  for (const token of tokens.slice(0, -1)) {
    current = Array.isArray(current)
      ? current[Number(token)]
      : (current as Record<string, unknown>)[token];
    if (current === null || typeof current !== 'object') {
      throw invalidPatch(`path "${path}" does not exist`);
    }
  }
  return [current as Container, tokens.at(-1) ?? ''];
}

function invalidPatch(message: string): StatusError {
  return new StatusError(failureStatus(422, 'Invalid', `the JSON patch cannot be applied: ${message}`));
}

function readAt(document: unknown, path: string): unknown {
  const tokens = pointer(path);
  if (tokens.length === 0) return document;
  const [parent, key] = parentOf(document, tokens, path);
  return Array.isArray(parent) ? parent[Number(key)] : parent[key];
}

function writeAt(document: unknown, path: string, value: unknown, insert: boolean): void {
  const [parent, key] = parentOf(document, pointer(path), path);
  if (!Array.isArray(parent)) {
    parent[key] = structuredClone(value);
    return;
  }
  const index = key === '-' ? parent.length : Number(key);
  if (!Number.isInteger(index) || index < 0 || index > parent.length) {
    throw invalidPatch(`array index in "${path}" is out of range`);
  }
  parent.splice(index, insert ? 0 : 1, structuredClone(value));
}

function removeAt(document: unknown, path: string): void {
  const [parent, key] = parentOf(document, pointer(path), path);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else if (Object.hasOwn(parent, key)) delete parent[key];
  else throw invalidPatch(`path "${path}" does not exist`);
}

function applyOperation(document: unknown, op: Operation): void {
  switch (op.op) {
    case 'add':
      return writeAt(document, op.path, op.value, true);
    case 'replace':
      if (readAt(document, op.path) === undefined) {
        throw invalidPatch(`path "${op.path}" does not exist`);
      }
      return writeAt(document, op.path, op.value, false);
    case 'remove':
      return removeAt(document, op.path);
    case 'copy':
      return writeAt(document, op.path, readAt(document, op.from ?? ''), true);
    case 'move': {
      const value = readAt(document, op.from ?? '');
      removeAt(document, op.from ?? '');
      return writeAt(document, op.path, value, true);
    }
    case 'test':
      if (JSON.stringify(readAt(document, op.path)) !== JSON.stringify(op.value)) {
        throw invalidPatch(`test operation on "${op.path}" failed`);
      }
      return;
    default:
      throw badRequest(`unknown JSON patch operation "${op.op}"`);
  }
}

/** Applies an RFC 6902 JSON patch to a copy of `target`. */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw badRequest('a JSON patch must be an array of operations');
  const document = structuredClone(target);
  for (const op of operations as Operation[]) applyOperation(document, op);
  return document;
}

/**
 * Applies a PATCH body by its Content-Type: JSON patch, JSON merge patch or strategic merge
 * patch.  */
export function applyPatch(
  current: KubeObject,
  body: unknown,
  contentType: string | undefined,
): KubeObject {
  const type = (contentType ?? '').split(';')[0]?.trim() ?? '';
  if (type === 'application/json-patch+json') return jsonPatch(current, body) as KubeObject;
  if (type === 'application/merge-patch+json') return mergePatch(current, body) as KubeObject;
  if (type === 'application/strategic-merge-patch+json') {
    return (strategicMerge(current, body) ?? {}) as KubeObject;
  }
  throw new StatusError(
    failureStatus(
      415,
      'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: ' +
        'application/json-patch+json, application/merge-patch+json, ' +
        'application/strategic-merge-patch+json',
    ),
  );
}
