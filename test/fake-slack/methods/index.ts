import * as chat from './chat.ts';
import type { MethodHandler } from './context.ts';
import * as conversations from './conversations.ts';
import * as files from './files.ts';
import { authTest, usergroupsUsersList, usersInfo } from './users.ts';
import * as views from './views.ts';

/** Every Web API method the fake serves; any other name gets `unknown_method`. */
export const METHODS: Record<string, MethodHandler> = {
  'auth.test': authTest,
  'chat.postMessage': chat.postMessage,
  'chat.update': chat.update,
  'chat.postEphemeral': chat.postEphemeral,
  'chat.getPermalink': chat.getPermalink,
  'conversations.info': conversations.info,
  'conversations.join': conversations.join,
  'conversations.history': conversations.history,
  'conversations.replies': conversations.replies,
  'users.info': usersInfo,
  'usergroups.users.list': usergroupsUsersList,
  'views.open': views.open,
  'views.update': views.update,
  'views.push': views.push,
  'files.getUploadURLExternal': files.getUploadURLExternal,
  'files.completeUploadExternal': files.completeUploadExternal,
};
