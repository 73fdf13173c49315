/**
 * Kubernetes resource quantities (`512Mi`, `250m`, `1e3`), parsed and compared exactly with
 * bigints. The rules follow `ParseQuantity` in k8s.io/apimachinery `pkg/api/resource`
 * (v1.37): binary suffixes Ki…Ei, decimal suffixes n, u, m, k, M, G, T, P, E, and decimal
 * exponents `e<int>` or `E<int>`. Values keep nine decimal places, and finer ones round up.
 */

/** A parsed quantity: `(negative ? -1 : 1) × coefficient × 10^scale`, with `scale ≥ -9`. */
export interface Quantity {
  negative: boolean;
  coefficient: bigint;
  scale: number;
  /** The suffix family, as the API server records it. */
  format: 'BinarySI' | 'DecimalSI' | 'DecimalExponent';
  /** The input, trimmed. */
  text: string;
}

/** Error thrown by {@link parseQuantity}, whose message names the value and the fix. */
export class QuantityError extends Error {
  readonly value: string;
  constructor(value: string, reason: string) {
    super(reason);
    this.name = 'QuantityError';
    this.value = value;
  }
}

const BINARY_EXPONENTS: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_EXPONENTS: Record<string, number> = {
  '': 0, n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18,
};
const NANO_SCALE = -9;
// The API server caps binary-suffixed values at the largest int64 (`10Ei` reads back as this).
const INT64_MAX = 2n ** 63n - 1n;
// The API server truncates a longer exponent to int32, so such values are rejected here.
const EXPONENT_LIMIT = 2 ** 31 - 1;

// Sign, then a number with at least one digit, then everything after it as the suffix.
// NOTE: kube-apiserver v1.37 also accepts a bare sign, dot or suffix (`+`, `.`, `Gi`) as 0.
// They are rejected here because nobody means 0 by them.
const SHAPE = /^([+-]?)(\d+\.?\d*|\.\d+)(.*)$/;

/**
 * Parses a Kubernetes quantity to the exact value kube-apiserver stores, ignoring
 * surrounding whitespace as its JSON decoder does. Throws {@link QuantityError} on every
 * value the API server rejects, and on the few oddities listed at `SHAPE`.
 */
export function parseQuantity(input: string): Quantity {
  const text = input.trim();
  const shape = SHAPE.exec(text);
  if (!shape) throw new QuantityError(input, notAQuantity(input));
  const [, sign = '', number = '', suffix = ''] = shape;
  const [whole = '', fraction = ''] = number.split('.');
  const digits = BigInt(`${whole}${fraction}` || '0');
  const unit = interpretSuffix(input, suffix);
  let coefficient = digits;
  let scale = -fraction.length;
  if (unit.base === 2) coefficient *= 2n ** BigInt(unit.exponent);
  else scale += unit.exponent;
  ({ coefficient, scale } = roundToNano(coefficient, scale));
  if (unit.base === 2 && exceedsInt64(coefficient, scale)) ({ coefficient, scale } = { coefficient: INT64_MAX, scale: 0 });
  return { negative: sign === '-' && coefficient !== 0n, coefficient, scale, format: unit.format, text };
}

/** Returns why `input` is not a quantity the API server accepts, or `undefined` when it is one. */
export function quantityProblem(input: string): string | undefined {
  try {
    parseQuantity(input);
    return undefined;
  } catch (err) {
    if (err instanceof QuantityError) return err.message;
    throw err;
  }
}

function interpretSuffix(input: string, suffix: string): { base: 2 | 10; exponent: number; format: Quantity['format'] } {
  const binary = BINARY_EXPONENTS[suffix];
  if (binary !== undefined) return { base: 2, exponent: binary, format: 'BinarySI' };
  const decimal = DECIMAL_EXPONENTS[suffix];
  if (decimal !== undefined) return { base: 10, exponent: decimal, format: 'DecimalSI' };
  const exponent = /^[eE]([+-]?\d+)$/.exec(suffix)?.[1];
  if (exponent === undefined) throw new QuantityError(input, notAQuantity(input));
  const value = Number(exponent);
  if (Math.abs(value) > EXPONENT_LIMIT) {
    throw new QuantityError(input, `"${input}" has an exponent out of range: write the value with a suffix such as Gi or G`);
  }
  return { base: 10, exponent: value, format: 'DecimalExponent' };
}

function notAQuantity(input: string): string {
  const hint = suggestSpelling(input.trim());
  const fix = hint ? `use ${hint}` : 'write a number with a suffix such as 512Mi, 2Gi, 500m or 1.5';
  return `"${input}" is not a Kubernetes quantity: ${fix}`;
}

// Common slips: `2GB`, `2gb`, `2 Gi`, `512mi`, `1K`.
function suggestSpelling(text: string): string | undefined {
  const slip = /^(\d+(?:\.\d+)?)\s*([kKmMgGtTpP])([iI]?)([bB]?)$/.exec(text);
  if (!slip) return undefined;
  const [, number = '', letter = '', binary = ''] = slip;
  const upper = letter === 'k' || letter === 'K' ? 'K' : letter.toUpperCase();
  const decimal = upper === 'K' ? 'k' : upper;
  if (binary) return `${number}${upper}i`;
  return `${number}${upper}i or ${number}${decimal}`;
}

// Values finer than 1n round up, away from zero, as the API server stores them.
function roundToNano(coefficient: bigint, scale: number): { coefficient: bigint; scale: number } {
  if (scale >= NANO_SCALE) return { coefficient, scale };
  const divisor = 10n ** BigInt(NANO_SCALE - scale);
  const rounded = (coefficient + divisor - 1n) / divisor;
  return { coefficient: rounded, scale: NANO_SCALE };
}

function exceedsInt64(coefficient: bigint, scale: number): boolean {
  return magnitude(coefficient, scale) > 19 || toUnits(coefficient, scale) > INT64_MAX;
}

// Number of digits before the decimal point, so huge exponents compare without being expanded.
function magnitude(coefficient: bigint, scale: number): number {
  return coefficient === 0n ? -Infinity : coefficient.toString().length + scale;
}

function toUnits(coefficient: bigint, scale: number): bigint {
  return scale >= 0 ? coefficient * 10n ** BigInt(scale) : coefficient / 10n ** BigInt(-scale);
}

/** Compares two quantities by value: negative when `a < b`, 0 when equal, positive when `a > b`. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const signA = signOf(a);
  const signB = signOf(b);
  if (signA !== signB) return signA - signB;
  return signA * compareMagnitudes(a, b);
}

function signOf(quantity: Quantity): number {
  if (quantity.coefficient === 0n) return 0;
  return quantity.negative ? -1 : 1;
}

function compareMagnitudes(a: Quantity, b: Quantity): number {
  const sizeA = magnitude(a.coefficient, a.scale);
  const sizeB = magnitude(b.coefficient, b.scale);
  if (sizeA !== sizeB) return sizeA < sizeB ? -1 : 1;
  // Same number of integer digits, so the scale difference is bounded by the digit counts.
  const scale = Math.min(a.scale, b.scale);
  const left = a.coefficient * 10n ** BigInt(a.scale - scale);
  const right = b.coefficient * 10n ** BigInt(b.scale - scale);
  if (left === right) return 0;
  return left < right ? -1 : 1;
}

/**
 * Returns the value in nano units (10⁻⁹), or `undefined` when it is beyond 10³⁰, which no
 * CPU or memory value reaches.
 */
export function toNanos(quantity: Quantity): bigint | undefined {
  if (magnitude(quantity.coefficient, quantity.scale) > 30) return undefined;
  const nanos = toUnits(quantity.coefficient, quantity.scale - NANO_SCALE);
  return quantity.negative ? -nanos : nanos;
}

/** Returns the value in bytes, or `undefined` when it is not a whole number of bytes. */
export function toBytes(quantity: Quantity): bigint | undefined {
  const nanos = toNanos(quantity);
  if (nanos === undefined || nanos % 1_000_000_000n !== 0n) return undefined;
  return nanos / 1_000_000_000n;
}

/** Returns the value in millicores, or `undefined` when it is finer than 1m. */
export function toMillicores(quantity: Quantity): bigint | undefined {
  const nanos = toNanos(quantity);
  if (nanos === undefined || nanos % 1_000_000n !== 0n) return undefined;
  return nanos / 1_000_000n;
}

const BINARY_UNITS: Array<[string, bigint]> = [['Ti', 2n ** 40n], ['Gi', 2n ** 30n], ['Mi', 2n ** 20n], ['Ki', 2n ** 10n]];

/** Formats a byte count with the largest binary suffix that divides it exactly: `805306368` → `768Mi`. */
export function formatBytes(bytes: bigint): string {
  for (const [suffix, size] of BINARY_UNITS) {
    if (bytes !== 0n && bytes % size === 0n) return `${bytes / size}${suffix}`;
  }
  return bytes.toString();
}

/**
 * Rounds a byte count up to a clean binary value: whole Mi below 1Gi, 64Mi steps from 1Gi
 * and 256Mi steps from 4Gi. So `768Mi + 1` → `769Mi` and `1Gi + 1` → `1088Mi`.
 */
export function roundUpBytes(bytes: bigint): bigint {
  const step = roundingStep(bytes);
  return ((bytes + step - 1n) / step) * step;
}

function roundingStep(bytes: bigint): bigint {
  const mebibyte = 2n ** 20n;
  const gibibyte = 2n ** 30n;
  if (bytes >= 4n * gibibyte) return 256n * mebibyte;
  if (bytes >= gibibyte) return 64n * mebibyte;
  return mebibyte;
}

/** Multiplies a bigint by a ratio such as 1.5, rounding up. */
export function scaleUp(value: bigint, factor: number): bigint {
  const thousandths = BigInt(Math.round(factor * 1000));
  return (value * thousandths + 999n) / 1000n;
}
