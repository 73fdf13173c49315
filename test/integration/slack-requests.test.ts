import { afterEach, describe, expect, it } from 'vitest';
import { signRequest } from '../fake-slack/index.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function post(h: Harness, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${h.jobwatch.httpPort}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, text: await res.text() };
}

describe('requests from Slack', () => {
  it('rejects an unsigned request with 401', async () => {
    harness = await startHarness();
    const h = harness;
    await eventually(() => h.jobwatch.ready(), 'jobwatch ready');
    const body = JSON.stringify({ type: 'url_verification', challenge: 'c-123' });
    expect((await post(h, body, {})).status).toBe(401);
  });

  it('rejects a forged signature with 401', async () => {
    harness = await startHarness();
    const h = harness;
    await eventually(() => h.jobwatch.ready(), 'jobwatch ready');
    const body = JSON.stringify({ type: 'url_verification', challenge: 'c-123' });
    const forged = signRequest('not-the-signing-secret', body);
    expect((await post(h, body, { ...forged })).status).toBe(401);
  });

  it('answers a signed request on the same port as the health checks', async () => {
    harness = await startHarness();
    const h = harness;
    await eventually(() => h.jobwatch.ready(), 'jobwatch ready');
    const body = JSON.stringify({ type: 'url_verification', challenge: 'c-123' });
    const response = await post(h, body, { ...signRequest(h.slack.signingSecret, body) });
    expect(response.status).toBe(200);
    expect(response.text).toContain('c-123');
    const health = await fetch(`http://127.0.0.1:${h.jobwatch.httpPort}/healthz`);
    expect(health.status).toBe(200);
  });
});
