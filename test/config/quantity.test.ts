import { describe, expect, it } from 'vitest';
import { parseQuantity } from '../../src/config/quantity.ts';

describe('parseQuantity', () => {
  it.each([
    ['512Mi', 512 * 2 ** 20],
    ['16Gi', 16 * 2 ** 30],
    ['1Ki', 1024],
    ['250m', 0.25],
    ['1.5', 1.5],
    ['2', 2],
    ['.5', 0.5],
    ['1k', 1000],
    ['2G', 2e9],
    ['1e3', 1000],
    ['1E3', 1000],
    ['3E', 3e18],
  ])('reads %s', (text, expected) => {
    expect(parseQuantity(text)).toBeCloseTo(expected);
  });

  it.each(['', 'lots', '1GB', '1 Gi', 'Gi', '1.2.3', '0x10'])('rejects %j', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });
});
