import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';

/** How long a user group's member list is reused, in milliseconds. */
const MEMBERS_TTL_MS = 5 * 60_000;

/**
 * Answers which of the policy's user groups a Slack user belongs to. Only the groups the
 * policy names are read, with `usergroups.users.list` (scope `usergroups:read`), and each
 * member list is kept for five minutes. A group that cannot be read counts as one the
 * user is not in, so a Slack error denies rather than grants.
 */
export function createGroupResolver(client: WebClient, groups: readonly string[], logger: Logger): (userId: string) => Promise<string[]> {
  const cache = new Map<string, { members: Set<string>; at: number }>();
  const membersOf = async (group: string): Promise<Set<string>> => {
    const cached = cache.get(group);
    if (cached && Date.now() - cached.at < MEMBERS_TTL_MS) return cached.members;
    try {
      const response = await client.usergroups.users.list({ usergroup: group });
      const members = new Set(response.users ?? []);
      cache.set(group, { members, at: Date.now() });
      return members;
    } catch (err) {
      logger.warn({ err, group }, 'could not read the members of a user group; its rules do not match until it can be read');
      return cached?.members ?? new Set();
    }
  };
  return async (userId) => {
    const found: string[] = [];
    for (const group of groups) if ((await membersOf(group)).has(userId)) found.push(group);
    return found;
  };
}
