/** Settings that turn digests off and widen jobwatch's Slack budget past any test's pace. */
export const STORM_CONTROLS_OFF: Readonly<Record<string, string>> = {
  JOBWATCH_DIGEST_MIN_JOBS: '0',
  JOBWATCH_SLACK_POSTS_PER_MINUTE: '60000',
  JOBWATCH_SLACK_POST_BURST: '10000',
  JOBWATCH_SLACK_UPDATES_PER_MINUTE: '60000',
  JOBWATCH_SLACK_UPDATE_BURST: '10000',
};

/** The defaults of the same settings, for tests and benchmarks of storms. */
export const STORM_CONTROLS_DEFAULT: Readonly<Record<string, string>> = {
  JOBWATCH_DIGEST_MIN_JOBS: '5',
  JOBWATCH_DIGEST_WINDOW_SECONDS: '60',
  JOBWATCH_SLACK_POSTS_PER_MINUTE: '60',
  JOBWATCH_SLACK_POST_BURST: '3',
  JOBWATCH_SLACK_UPDATES_PER_MINUTE: '50',
  JOBWATCH_SLACK_UPDATE_BURST: '10',
};
