import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../fake-slack/index.ts';
import { clientFor, platformError } from './helpers.ts';

const LOG = 'Error: connection refused\n  at db.connect (db.js:10)\n';

describe('file uploads', () => {
  let fake: FakeSlack;

  beforeEach(async () => {
    fake = await startFakeSlack();
  });

  afterEach(async () => {
    await fake.stop();
  });

  it('uploads a log into a thread with uploadV2', async () => {
    const client = clientFor(fake);
    const root = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'backup failed' });
    const result = await client.files.uploadV2({
      channel_id: 'C0ALERTS',
      thread_ts: String(root.ts),
      filename: 'backup.log',
      title: 'backup logs',
      content: LOG,
      initial_comment: 'Last 2 lines',
    });
    expect(result.ok).toBe(true);
    const [file] = fake.files();
    expect(file?.bytes?.toString('utf8')).toBe(LOG);
    expect(file?.completed).toBe(true);
    expect(file?.title).toBe('backup logs');
    const thread = fake.thread('C0ALERTS', String(root.ts));
    expect(thread).toHaveLength(2);
    expect(thread[1]?.files?.[0]?.id).toBe(file?.id);
    expect(thread[1]?.text).toBe('Last 2 lines');
  });

  it('accepts raw bytes at the upload URL', async () => {
    const step1 = await clientFor(fake).files.getUploadURLExternal({
      filename: 'a.txt',
      length: 5,
    });
    const response = await fetch(String(step1.upload_url), { method: 'POST', body: 'hello' });
    expect(response.status).toBe(200);
    expect(fake.files()[0]?.bytes?.toString('utf8')).toBe('hello');
  });

  it('rejects bytes that differ from the announced length', async () => {
    const step1 = await clientFor(fake).files.getUploadURLExternal({
      filename: 'a.txt',
      length: 6,
    });
    const response = await fetch(String(step1.upload_url), { method: 'POST', body: 'hello' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('length 6 was announced');
    expect(fake.files()[0]?.bytes).toBeUndefined();
  });

  it('rejects completion of an unknown file with file_not_found', async () => {
    await platformError(
      clientFor(fake).files.completeUploadExternal({
        files: [{ id: 'F0NOPE' }],
        channel_id: 'C0ALERTS',
      }),
      'file_not_found',
    );
  });

  it('rejects completion before the bytes arrived with file_not_found', async () => {
    const client = clientFor(fake);
    const step1 = await client.files.getUploadURLExternal({ filename: 'a.txt', length: 5 });
    await platformError(
      client.files.completeUploadExternal({ files: [{ id: String(step1.file_id) }] }),
      'file_not_found',
    );
  });

  it('keeps a file completed without channel_id out of history', async () => {
    const client = clientFor(fake);
    const step1 = await client.files.getUploadURLExternal({ filename: 'a.txt', length: 5 });
    await fetch(String(step1.upload_url), { method: 'POST', body: 'hello' });
    const done = await client.files.completeUploadExternal({
      files: [{ id: String(step1.file_id) }],
    });
    expect(done.ok).toBe(true);
    expect(fake.files()[0]?.channels).toEqual([]);
    expect(fake.messages()).toEqual([]);
  });

  it('rejects a share into a reply with thread_not_found', async () => {
    const client = clientFor(fake);
    const root = await client.chat.postMessage({ channel: 'C0ALERTS', text: 'root' });
    const reply = await client.chat.postMessage({
      channel: 'C0ALERTS',
      text: 'r',
      thread_ts: String(root.ts),
    });
    const step1 = await client.files.getUploadURLExternal({ filename: 'a.txt', length: 5 });
    await fetch(String(step1.upload_url), { method: 'POST', body: 'hello' });
    await platformError(
      client.files.completeUploadExternal({
        files: [{ id: String(step1.file_id) }],
        channel_id: 'C0ALERTS',
        thread_ts: String(reply.ts),
      }),
      'thread_not_found',
    );
  });

  it('rejects a missing filename with missing_argument', async () => {
    await platformError(
      clientFor(fake).apiCall('files.getUploadURLExternal', { length: 5 }),
      'missing_argument',
    );
  });

  it('answers 404 for an unknown upload id', async () => {
    const response = await fetch(`${fake.baseUrl}/upload/F0NOPE`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(404);
  });
});
