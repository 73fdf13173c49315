import { SlackApiError } from '../api-error.ts';
import { WORKSPACE } from '../state.ts';
import { type MethodHandler, optionalString } from './context.ts';

export const authTest: MethodHandler = () => ({
  url: `https://${WORKSPACE.teamDomain}.slack.com/`,
  team: 'jobwatch test',
  user: 'jobwatch',
  team_id: WORKSPACE.teamId,
  user_id: WORKSPACE.botUserId,
  bot_id: WORKSPACE.botId,
  is_enterprise_install: false,
});

/**
 * `usergroups.users.list`: the members of one user group. Like Slack, an id no group has
 * gets `no_such_subteam`; the fake knows the groups its users' seeds name.
 */
export const usergroupsUsersList: MethodHandler = ({ args, state }) => {
  const group = optionalString(args, 'usergroup');
  if (group === undefined) throw new SlackApiError('invalid_arguments');
  const members = [...state.users.values()].filter((user) => user.groups?.includes(group) && user.deleted !== true);
  if (members.length === 0 && ![...state.users.values()].some((user) => user.groups?.includes(group))) throw new SlackApiError('no_such_subteam');
  return { users: members.map((user) => user.id) };
};

export const usersInfo: MethodHandler = ({ args, state }) => {
  const id = optionalString(args, 'user');
  if (id === WORKSPACE.botUserId) {
    return {
      user: {
        id,
        team_id: WORKSPACE.teamId,
        name: 'jobwatch',
        real_name: 'jobwatch',
        deleted: false,
        is_bot: true,
        tz: 'UTC',
        profile: { real_name: 'jobwatch', display_name: 'jobwatch', bot_id: WORKSPACE.botId },
      },
    };
  }
  const user = id === undefined ? undefined : state.users.get(id);
  if (!user) throw new SlackApiError('user_not_found');
  const realName = user.realName ?? user.name;
  return {
    user: {
      id: user.id,
      team_id: WORKSPACE.teamId,
      name: user.name,
      real_name: realName,
      deleted: user.deleted ?? false,
      is_bot: false,
      tz: user.tz ?? 'UTC',
      profile: { real_name: realName, display_name: user.name },
    },
  };
};
