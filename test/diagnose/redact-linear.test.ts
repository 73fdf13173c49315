import { describe, expect, it } from 'vitest';
import { redactText } from '../../src/diagnose/redact.ts';

const FIVE_MB = 5 * 1024 * 1024;

/** Repeats `unit` into one text of five megabytes. */
function fiveMegabytesOf(unit: string): string {
  return unit.repeat(Math.ceil(FIVE_MB / unit.length)).slice(0, FIVE_MB);
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

// Each text is built against one pattern's weak spot: a long run it could rescan from
// every position, or two repeats over the same characters. A pattern that backtracks
// over the whole line runs for hours here and hits the generous test timeout.
const UNCHANGED: Record<string, string> = {
  'one word': fiveMegabytesOf('a'),
  'words joined by dots': fiveMegabytesOf('a.'),
  'JWT prefixes joined by dashes': fiveMegabytesOf('eyJ-'),
  'secret words without a value': fiveMegabytesOf('password'),
  'upper-case names without =': fiveMegabytesOf('KEYKEY_'),
  'schemes without a host': fiveMegabytesOf('a://b:c'),
  'blanks and tabs': fiveMegabytesOf(' \t'),
  'list dashes': fiveMegabytesOf(' - '),
  'YAML name keys': fiveMegabytesOf('  - name: '),
  'one base64 run': fiveMegabytesOf('QUFB'),
  'binary base64 words': fiveMegabytesOf(`${b64('\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000e\u000f\u0010')} `),
  'plain base64 words': fiveMegabytesOf(`${b64('hello world text ok')} `),
  'unclosed JSON keys': fiveMegabytesOf('"password":"'),
  'a long line before a token piece': `${fiveMegabytesOf('a')} x\nabcdefghij0123456789\n`,
};

describe('redactText on five-megabyte lines', () => {
  for (const [shape, text] of Object.entries(UNCHANGED)) {
    it(`returns ${shape} unchanged`, { timeout: 120_000 }, () => {
      expect(redactText(text) === text).toBe(true);
    });
  }

  it('masks every value of repeated assignments', { timeout: 120_000 }, () => {
    const out = redactText(fiveMegabytesOf('xpassword=a '));
    expect(out.startsWith('xpassword=**** xpassword=****')).toBe(true);
    expect(out.includes('=a ')).toBe(false);
  });

  it('masks every base64 user and password', { timeout: 120_000 }, () => {
    const out = redactText(fiveMegabytesOf(`${b64('ops:hunter2')} `));
    expect(out.includes(b64('ops:hunter2'))).toBe(false);
  });

  it('masks a private key that never ends', { timeout: 120_000 }, () => {
    const out = redactText(`-----BEGIN PRIVATE KEY-----\n${fiveMegabytesOf('MIIEvQIBADANBgkqhkiG9w0B\n')}`);
    expect(out).toBe('-----BEGIN PRIVATE KEY-----\n****\n-----END PRIVATE KEY-----');
  });

  it('masks key lines above an END line without BEGIN', { timeout: 120_000 }, () => {
    const body = 'MIIEvQIBADANBgkqhkiG9w0B\n'.repeat(FIVE_MB / 25);
    expect(redactText(`${body}-----END PRIVATE KEY-----`)).toBe('****\n-----END PRIVATE KEY-----');
  });

  it('masks the values below secret keys on many lines', { timeout: 120_000 }, () => {
    const out = redactText(fiveMegabytesOf('password:\n  hunter2x\n'));
    expect(out.includes('hunter2x')).toBe(false);
  });
});
