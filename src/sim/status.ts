import { qualifiedName, type ResourceType } from './resources.ts';

/** A `meta/v1` Status object, shaped as the Kubernetes API server returns it for errors. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  /** Empty, except for the token a 410 on an expired `continue` offers to go on with. */
  metadata: { continue?: string };
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
}

/** `Status.details`: the object an error is about. `kind` is the plural resource name. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: { reason: string; message: string; field?: string }[];
}

/** An error that the server sends back as a Status body with `status.code` as the HTTP status. */
export class StatusError extends Error {
  readonly status: Status;

  constructor(status: Status) {
    super(status.message);
    this.name = 'StatusError';
    this.status = status;
  }
}

/** Builds a failure Status; `details` is left out when empty, as the real server does. */
export function failureStatus(
  code: number,
  reason: string,
  message: string,
  details?: StatusDetails,
): Status {
  // Key order follows the real server's output, so bodies read the same in test failures.
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details === undefined ? {} : { details }),
    code,
  };
}

function objectDetails(type: ResourceType, name: string): StatusDetails {
  const details: StatusDetails = { name };
  if (type.group !== '') details.group = type.group;
  details.kind = type.plural;
  return details;
}

/** 404 for a named object: `jobs.batch "x" not found`. */
export function notFound(type: ResourceType, name: string): StatusError {
  const message = `${qualifiedName(type)} "${name}" not found`;
  return new StatusError(failureStatus(404, 'NotFound', message, objectDetails(type, name)));
}

/** 404 for a URL the server does not serve. */
export function pathNotFound(): StatusError {
  return new StatusError(
    failureStatus(404, 'NotFound', 'the server could not find the requested resource', {}),
  );
}

/** 409 on create when the name is taken: `jobs.batch "x" already exists`. */
export function alreadyExists(type: ResourceType, name: string): StatusError {
  const message = `${qualifiedName(type)} "${name}" already exists`;
  return new StatusError(failureStatus(409, 'AlreadyExists', message, objectDetails(type, name)));
}

/** 409 on update when the given resourceVersion is not the stored one. */
export function conflict(type: ResourceType, name: string): StatusError {
  const message =
    `Operation cannot be fulfilled on ${qualifiedName(type)} "${name}": ` +
    'the object has been modified; please apply your changes to the latest version and try again';
  return new StatusError(failureStatus(409, 'Conflict', message, objectDetails(type, name)));
}

/** 400 BadRequest with the given message. */
export function badRequest(message: string): StatusError {
  return new StatusError(failureStatus(400, 'BadRequest', message));
}

/** 405 for a verb the resource does not serve. */
export function methodNotAllowed(): StatusError {
  const message = 'the server does not allow this method on the requested resource';
  return new StatusError(failureStatus(405, 'MethodNotAllowed', message));
}

/** 410 Gone with reason `Expired`, for compacted resourceVersions and continue tokens. */
export function expired(message: string): StatusError {
  return new StatusError(failureStatus(410, 'Expired', message));
}

/** 401 for a missing or wrong bearer token. */
export function unauthorized(): StatusError {
  return new StatusError(failureStatus(401, 'Unauthorized', 'Unauthorized'));
}

/** The reason the real server gives for each HTTP status it sends. */
const reasonsByCode: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** Returns the usual Status reason for an HTTP status code, or `Unknown`. */
export function reasonForCode(code: number): string {
  return reasonsByCode[code] ?? 'Unknown';
}
