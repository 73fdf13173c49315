import { type Logger, LogLevel, WebAPIPlatformError, WebClient } from '@slack/web-api';
import { expect } from 'vitest';
import type { FakeSlack } from '../fake-slack/index.ts';

/** A logger that drops everything: the SDK logs every `[ERROR]` line the fake returns. */
export function silentLogger(): Logger {
  const drop = (): void => {};
  return {
    debug: drop,
    info: drop,
    warn: drop,
    error: drop,
    setLevel: drop,
    getLevel: () => LogLevel.ERROR,
    setName: drop,
  };
}

/** Creates a WebClient on the fake that neither retries nor waits out rate limits. */
export function clientFor(fake: FakeSlack, token = fake.botToken): WebClient {
  return new WebClient(token, {
    slackApiUrl: fake.apiUrl,
    logger: silentLogger(),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
}

/** A clock tests move by hand, in ms since the epoch. */
export interface ManualClock {
  now: () => number;
  advance: (ms: number) => void;
}

export function manualClock(startMs = Date.UTC(2026, 0, 15, 9, 30)): ManualClock {
  let current = startMs;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
  };
}

/** Awaits a call that must fail with a Slack platform error and returns that error. */
export async function platformError(
  call: Promise<unknown>,
  code: string,
): Promise<WebAPIPlatformError> {
  const error: unknown = await call.then(
    () => new Error(`expected ${code}, but the call succeeded`),
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(WebAPIPlatformError);
  const platform = error as WebAPIPlatformError;
  expect(platform.data.error).toBe(code);
  return platform;
}

/** Returns the `[ERROR]` lines of a platform error's response metadata. */
export function errorLines(error: WebAPIPlatformError): string[] {
  return error.data.response_metadata?.messages ?? [];
}
