import type { IncomingMessage } from 'node:http';
import { qualifiedName } from './resources.ts';
import type { ResourceRoute } from './routes.ts';
import { badRequest, failureStatus, StatusError, type StatusDetails } from './status.ts';

/** The attributes of one request that an authorizer decides on, as in a SubjectAccessReview. */
export interface AuthorizationAttributes {
  user: string;
  groups: string[];
  /** `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, or `impersonate`. */
  verb: string;
  /** Plural resource name, e.g. `jobs`; `users` or `groups` for `impersonate`. */
  resource: string;
  subresource?: string;
  /** API group; `''` for the core group. */
  group: string;
  namespace?: string;
  name?: string;
}

/** Decides one request; `true` allows it. */
export type Authorizer = (attributes: AuthorizationAttributes) => boolean;

/** The kubeconfig's user of the simulated cluster, a cluster administrator. */
export const adminUser = { user: 'system:admin', groups: ['system:masters', 'system:authenticated'] };

/** The user a request acts as, after impersonation. */
export interface RequestUser {
  user: string;
  groups: string[];
}

function headerValues(req: IncomingMessage, name: string): string[] {
  const value = req.headers[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : value.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/** Returns the verb of a resource request as the real server's RequestInfo names it. */
export function requestVerb(method: string, route: ResourceRoute, params: URLSearchParams): string {
  const watch = params.get('watch');
  if (method === 'GET') {
    if (route.name !== undefined) return 'get';
    return watch === 'true' || watch === '1' ? 'watch' : 'list';
  }
  const verbs: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch' };
  if (method === 'DELETE') return route.name === undefined ? 'deletecollection' : 'delete';
  return verbs[method] ?? method.toLowerCase();
}

function forbidden(target: { resource: string; group: string; name?: string | undefined }, message: string): StatusError {
  const details: StatusDetails = {
    ...(target.name === undefined ? {} : { name: target.name }),
    ...(target.group === '' ? {} : { group: target.group }),
    kind: target.resource,
  };
  return new StatusError(failureStatus(403, 'Forbidden', message, details));
}

function scope(namespace: string | undefined): string {
  return namespace === undefined ? 'at the cluster scope' : `in the namespace "${namespace}"`;
}

function forbiddenRequest(who: string, verb: string, route: ResourceRoute): StatusError {
  const resource = route.subresource === undefined ? route.type.plural : `${route.type.plural}/${route.subresource}`;
  const subject = `${qualifiedName(route.type)}${route.name === undefined ? '' : ` "${route.name}"`}`;
  const message =
    `${subject} is forbidden: User "${who}" cannot ${verb} resource "${resource}" ` +
    `in API group "${route.type.group}" ${scope(route.namespace)}`;
  return forbidden({ resource: route.type.plural, group: route.type.group, name: route.name }, message);
}

/**
 * Checks every request against an authorizer, with the real server's impersonation rules
 * and 403 bodies. kube-apiserver v1.37 words an impersonation denial in two ways: a caller
 * that has never impersonated gets the constrained-impersonation text
 * (`cannot impersonate-on:user-info:<verb> resource "<resource>"`), one that has gets the
 * legacy text (`users "<name>" is forbidden: … cannot impersonate resource "users"`).
 */
export class RequestAuthorizer {
  readonly #authorize: Authorizer;
  /** Callers that have impersonated successfully, which the real server keeps track of. */
  readonly #impersonators = new Set<string>();

  constructor(authorize: Authorizer) {
    this.#authorize = authorize;
  }

  /** Returns the user the request acts as, or throws its 400 or 403 Status. */
  check(req: IncomingMessage, route: ResourceRoute, params: URLSearchParams): RequestUser {
    const verb = requestVerb(req.method ?? 'GET', route, params);
    const acting = this.#impersonate(req, verb, route);
    const allowed = this.#authorize({
      ...acting,
      verb,
      resource: route.type.plural,
      ...(route.subresource === undefined ? {} : { subresource: route.subresource }),
      group: route.type.group,
      ...(route.namespace === undefined ? {} : { namespace: route.namespace }),
      ...(route.name === undefined ? {} : { name: route.name }),
    });
    if (!allowed) throw forbiddenRequest(acting.user, verb, route);
    return acting;
  }

  #impersonate(req: IncomingMessage, verb: string, route: ResourceRoute): RequestUser {
    const [user] = headerValues(req, 'impersonate-user');
    const groups = headerValues(req, 'impersonate-group');
    if (user === undefined) {
      if (groups.length > 0) throw impersonationWithoutUser(groups);
      return adminUser;
    }
    const caller = adminUser.user;
    const targets = [{ resource: 'users', name: user }, ...groups.map((name) => ({ resource: 'groups', name }))];
    for (const target of targets) {
      if (this.#authorize({ ...adminUser, verb: 'impersonate', resource: target.resource, group: '', name: target.name })) continue;
      if (this.#impersonators.has(caller)) {
        const message =
          `${target.resource} "${target.name}" is forbidden: User "${caller}" cannot impersonate ` +
          `resource "${target.resource}" in API group "" at the cluster scope`;
        throw forbidden({ resource: target.resource, group: '', name: target.name }, message);
      }
      throw forbiddenRequest(caller, `impersonate-on:user-info:${verb}`, route);
    }
    this.#impersonators.add(caller);
    return { user, groups: [...groups, 'system:authenticated'] };
  }
}

function impersonationWithoutUser(groups: string[]): StatusError {
  const list = groups.map((group) => JSON.stringify(group)).join(', ');
  return badRequest(
    `requested &user.DefaultInfo{Name:"", UID:"", Groups:[]string{${list}}, ` +
      'Extra:map[string][]string(nil)} without impersonating a user name',
  );
}
