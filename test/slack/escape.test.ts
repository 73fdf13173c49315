import { describe, expect, it } from 'vitest';
import {
  cleanText,
  escapeMrkdwn,
  MAX_SOURCE_CHARS,
  sanitizeText,
  TRUNCATION_NOTE,
  truncate,
} from '../../src/slack/escape.ts';
import { FORBIDDEN_CHARS, INVISIBLE_TEXT } from './views.ts';

describe('escapeMrkdwn', () => {
  it.each([
    ['<!channel>', '&lt;!channel&gt;'],
    ['<@U123>', '&lt;@U123&gt;'],
    ['<https://evil|ok>', '&lt;https://evil|ok&gt;'],
    ['&lt;', '&amp;lt;'],
    ['a && b -> c <none>', 'a &amp;&amp; b -&gt; c &lt;none&gt;'],
  ])('escapes %s', (input, expected) => {
    expect(escapeMrkdwn(input)).toBe(expected);
  });

  it('leaves formatting and quote characters alone', () => {
    expect(escapeMrkdwn(`*bold* _it_ ~s~ "q" 'a' \`c\``)).toBe(`*bold* _it_ ~s~ "q" 'a' \`c\``);
  });
});

describe('sanitizeText', () => {
  it('removes controls, terminal escapes, bidi and zero-width characters', () => {
    const out = sanitizeText(INVISIBLE_TEXT);
    expect(out).toBe('abcredrtlisozw\nend');
    expect(out).not.toMatch(FORBIDDEN_CHARS);
  });

  it('keeps newline, tab and ordinary Unicode', () => {
    expect(sanitizeText('a\tb\nc é 日本 🟢')).toBe('a\tb\nc é 日本 🟢');
  });

  it('removes OSC title sequences and cursor moves', () => {
    expect(sanitizeText('x\u001b]0;pwned\u0007y\u001b[2J\u001b[1;1Hz\u001bcw')).toBe('xyzw');
  });

  it('replaces lone surrogates', () => {
    expect(sanitizeText('a\ud83db\udfe2c')).toBe('a\ufffdb\ufffdc');
    expect(sanitizeText('\ud83d\udfe2')).toBe('🟢');
  });
});

describe('truncate', () => {
  it('returns text that fits unchanged', () => {
    expect(truncate('short', 5)).toBe('short');
  });

  it('cuts to the limit and appends the note', () => {
    const out = truncate('x'.repeat(100), 40);
    expect(out.length).toBeLessThanOrEqual(40);
    expect(out.endsWith(TRUNCATION_NOTE)).toBe(true);
  });

  it('uses a custom note', () => {
    expect(truncate('abcdefghij', 6, '…')).toBe('abcde…');
  });

  it('never splits a surrogate pair', () => {
    for (let max = 2; max < 12; max += 1) {
      const out = truncate('🟢🟢🟢🟢🟢🟢', max, '.');
      expect(out.length).toBeLessThanOrEqual(max);
      expect(sanitizeText(out)).toBe(out);
    }
  });

  it('never splits an escape entity', () => {
    const escaped = escapeMrkdwn('<<<&&&>>>');
    for (let max = 2; max < escaped.length; max += 1) {
      const out = truncate(escaped, max, '.');
      const body = out.slice(0, -1);
      expect(out.length).toBeLessThanOrEqual(max);
      expect(body).toMatch(/^(?:&lt;|&gt;|&amp;)*$/);
    }
  });

  it('cuts the note itself when the limit is smaller than the note', () => {
    expect(truncate('abcdef', 3, '[cut]')).toBe('[cu');
  });
});

describe('cleanText', () => {
  it('caps huge input and marks the cut', () => {
    const out = cleanText('y'.repeat(MAX_SOURCE_CHARS * 3));
    expect(out.length).toBe(MAX_SOURCE_CHARS + TRUNCATION_NOTE.length);
    expect(out.endsWith(TRUNCATION_NOTE)).toBe(true);
  });

  it('sanitizes input under the cap', () => {
    expect(cleanText('a\u202eb')).toBe('ab');
  });
});
