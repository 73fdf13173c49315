/**
 * A strict local fake of the Slack Web API and Socket Mode, and a sender of signed Slack
 * requests.
 */
export {
  DEFAULT_APP_TOKEN,
  DEFAULT_BOT_TOKEN,
  DEFAULT_SIGNING_SECRET,
  startFakeSlack,
} from './server.ts';
export * from './sender.ts';
export type * from './types.ts';
