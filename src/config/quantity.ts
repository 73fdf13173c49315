/**
 * Multipliers of the suffixes of a Kubernetes resource quantity: the binary suffixes
 * (`Ki` … `Ei`), the decimal SI suffixes (`n` … `E`) and none. Exponents such as `1e3` are
 * read apart, and `E` followed by digits is read as an exponent, not as exa.
 */
const SUFFIXES: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/**
 * Parses a Kubernetes quantity such as `512Mi`, `1.5`, `250m` or `1e3` into a number in the
 * base unit (bytes for memory, cores for cpu). Returns `undefined` when the text is not a
 * quantity. The result is a float, which is exact enough for comparing limits but not for
 * writing a quantity back.
 */
export function parseQuantity(text: string): number | undefined {
  const match = QUANTITY.exec(text.trim());
  if (match === null) return undefined;
  const [, number = '', exponent, suffix = ''] = match;
  const value = Number(number);
  if (exponent !== undefined) return value * 10 ** Number(exponent.slice(1));
  const multiplier = SUFFIXES[suffix];
  return multiplier === undefined ? undefined : value * multiplier;
}
