import { describe, expect, it } from 'vitest';
import {
  compareQuantities,
  formatBytes,
  parseQuantity,
  QuantityError,
  quantityProblem,
  roundUpBytes,
  scaleUp,
  toBytes,
  toMillicores,
  toNanos,
} from '../../src/actions/quantity.ts';

const GiB = 2n ** 30n;
const MiB = 2n ** 20n;

describe('parseQuantity', () => {
  it.each([
    ['512Mi', 512n * MiB],
    ['1Gi', GiB],
    ['1.5Gi', 1536n * MiB],
    ['.5Gi', 512n * MiB],
    ['1.Gi', GiB],
    ['1Ki', 1024n],
    ['1k', 1000n],
    ['2G', 2_000_000_000n],
    ['1e3', 1000n],
    ['1E3', 1000n],
    ['1e+3', 1000n],
    ['1.5e3', 1500n],
    ['1536', 1536n],
    ['+1', 1n],
    ['0', 0n],
    ['00', 0n],
    ['-0', 0n],
    [' 1Gi ', GiB],
  ])('reads %s as its exact byte count', (text, bytes) => {
    expect(toBytes(parseQuantity(text))).toBe(bytes);
  });

  it.each([
    ['250m', 250n],
    ['0.5', 500n],
    ['2', 2000n],
    ['1e-3', 1n],
    ['1500m', 1500n],
  ])('reads %s as %i millicores', (text, millicores) => {
    expect(toMillicores(parseQuantity(text))).toBe(millicores);
  });

  it('rounds below 1n away from zero', () => {
    expect(toNanos(parseQuantity('0.0000000001'))).toBe(1n);
    expect(toNanos(parseQuantity('1e-10'))).toBe(1n);
    expect(toNanos(parseQuantity('-1e-10'))).toBe(-1n);
    expect(toNanos(parseQuantity('1n'))).toBe(1n);
    expect(toNanos(parseQuantity('1u'))).toBe(1000n);
  });

  it('caps binary values at the largest int64 like the API server', () => {
    expect(toBytes(parseQuantity('10Ei'))).toBe(2n ** 63n - 1n);
    expect(toBytes(parseQuantity('12345678901234567890Ei'))).toBe(2n ** 63n - 1n);
  });

  it('keeps decimal values beyond int64 exact', () => {
    expect(toBytes(parseQuantity('99999999999999999999999'))).toBe(99999999999999999999999n);
    expect(toBytes(parseQuantity('1e19'))).toBe(10n ** 19n);
  });

  it('records the suffix family', () => {
    expect(parseQuantity('1Gi').format).toBe('BinarySI');
    expect(parseQuantity('1G').format).toBe('DecimalSI');
    expect(parseQuantity('1e9').format).toBe('DecimalExponent');
  });

  it('marks negative values', () => {
    expect(parseQuantity('-1').negative).toBe(true);
    expect(parseQuantity('-512Mi').negative).toBe(true);
    expect(parseQuantity('512Mi').negative).toBe(false);
  });

  // Each of these was sent to kube-apiserver v1.37 as a container limit and rejected.
  it.each(['', '2GB', '1gi', '1ki', '1g', '1K', 'abc', '1e', '1Mi1', '1ee3', '0x10', '1_000', '1.2.3', '1..5', '1 Gi', '1e3Mi', '1Mie3', '2e-3m', '1ne3'])(
    'rejects %j',
    (text) => {
      expect(() => parseQuantity(text)).toThrow(QuantityError);
    },
  );

  // kube-apiserver v1.37 reads these as 0, which nobody means.
  it('rejects a bare sign, dot or suffix', () => {
    for (const text of ['+', '-', '.', 'Gi', 'm', 'e3']) expect(quantityProblem(text)).toBeDefined();
  });

  it('rejects an exponent beyond the int32 range', () => {
    expect(quantityProblem('1e3000000000')).toMatch(/exponent out of range/);
  });

  it('suggests the right spelling of a common slip', () => {
    expect(quantityProblem('2GB')).toBe('"2GB" is not a Kubernetes quantity: use 2Gi or 2G');
    expect(quantityProblem('512mi')).toBe('"512mi" is not a Kubernetes quantity: use 512Mi');
    expect(quantityProblem('1KB')).toBe('"1KB" is not a Kubernetes quantity: use 1Ki or 1k');
    expect(quantityProblem('2 Gi')).toBe('"2 Gi" is not a Kubernetes quantity: use 2Gi');
  });

  it('explains the form when no spelling fits', () => {
    expect(quantityProblem('abc')).toBe(
      '"abc" is not a Kubernetes quantity: write a number with a suffix such as 512Mi, 2Gi, 500m or 1.5',
    );
  });

  it('returns no problem for a valid quantity', () => {
    expect(quantityProblem('768Mi')).toBeUndefined();
  });
});

describe('compareQuantities', () => {
  const compare = (a: string, b: string): number => Math.sign(compareQuantities(parseQuantity(a), parseQuantity(b)));

  it.each([
    ['1Gi', '1024Mi', 0],
    ['1Gi', '1G', 1],
    ['1G', '1e9', 0],
    ['500m', '0.5', 0],
    ['512Mi', '768Mi', -1],
    ['-1', '0', -1],
    ['-2', '-1', -1],
    ['0', '-0', 0],
    ['1e1000', '1e999', 1],
    ['1e-3', '1m', 0],
    ['10Ei', '9223372036854775807', 0],
  ])('compares %s with %s as %i', (a, b, expected) => {
    expect(compare(a, b)).toBe(expected);
  });
});

describe('conversions', () => {
  it('returns undefined for fractional bytes', () => {
    expect(toBytes(parseQuantity('100m'))).toBeUndefined();
    expect(toBytes(parseQuantity('1.5'))).toBeUndefined();
  });

  it('returns undefined for cpu finer than a millicore', () => {
    expect(toMillicores(parseQuantity('0.5m'))).toBeUndefined();
    expect(toMillicores(parseQuantity('1n'))).toBeUndefined();
  });

  it('returns undefined for values too large to expand', () => {
    expect(toNanos(parseQuantity('1e1000'))).toBeUndefined();
  });
});

describe('formatting and rounding', () => {
  it('formats bytes with the largest exact binary suffix', () => {
    expect(formatBytes(768n * MiB)).toBe('768Mi');
    expect(formatBytes(2n * GiB)).toBe('2Gi');
    expect(formatBytes(1536n * MiB)).toBe('1536Mi');
    expect(formatBytes(1000n)).toBe('1000');
    expect(formatBytes(0n)).toBe('0');
  });

  it('rounds bytes up to a whole Mi below 1Gi', () => {
    expect(roundUpBytes(768n * MiB)).toBe(768n * MiB);
    expect(roundUpBytes(768n * MiB + 1n)).toBe(769n * MiB);
  });

  it('rounds bytes up to 64Mi steps from 1Gi and 256Mi steps from 4Gi', () => {
    expect(roundUpBytes(GiB + 1n)).toBe(GiB + 64n * MiB);
    expect(roundUpBytes(4n * GiB + 1n)).toBe(4n * GiB + 256n * MiB);
    expect(roundUpBytes(6n * GiB)).toBe(6n * GiB);
  });

  it('scales a value up by a ratio, rounding up', () => {
    expect(scaleUp(512n * MiB, 1.5)).toBe(768n * MiB);
    expect(scaleUp(3n, 1.5)).toBe(5n);
  });
});
