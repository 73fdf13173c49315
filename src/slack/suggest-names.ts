/**
 * Near-miss suggestions for mistyped subcommands and Job names. Matching ignores case, and
 * candidates that start with the input come first, then candidates that contain it, then
 * those within a small edit distance.
 */

/**
 * Returns the optimal string alignment distance between `a` and `b`: the Levenshtein
 * distance in which swapping two adjacent characters also counts as one edit, so `stauts`
 * is one edit from `status`. Each substring is edited at most once.
 */
export function editDistance(a: string, b: string): number {
  // Three rolling rows: the transposition step looks two rows back.
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (before[j - 2] ?? 0) + 1);
      }
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Largest edit distance still offered as a suggestion: one edit for inputs of up to five
 * characters, then one more per further four, at most four. A wider margin would suggest
 * unrelated short names.
 */
export function maxSuggestionDistance(input: string): number {
  return Math.min(4, 1 + Math.floor(Math.max(0, input.length - 2) / 4));
}

interface Ranked {
  candidate: string;
  group: number;
  score: number;
  order: number;
}

/**
 * Picks up to `max` candidates that look like what `input` meant, best first. Prefix matches
 * come first (shortest first), then candidates containing the input, then candidates within
 * {@link maxSuggestionDistance} edits (closest first). Ties keep the candidates' order.
 * An exact match (ignoring case) is returned alone, as the caller's lookup only missed its case.
 *
 * @param max - Maximum number of suggestions; defaults to 3.
 */
export function suggestNames(input: string, candidates: readonly string[], max = 3): string[] {
  const query = input.trim().toLowerCase();
  if (query === '' || max <= 0) return [];
  const unique = [...new Set(candidates)];
  const exact = unique.find((c) => c.toLowerCase() === query);
  if (exact !== undefined) return [exact];

  const limit = maxSuggestionDistance(query);
  const ranked: Ranked[] = [];
  for (const [order, candidate] of unique.entries()) {
    const lower = candidate.toLowerCase();
    if (lower.startsWith(query)) {
      ranked.push({ candidate, group: 0, score: lower.length, order });
    } else if (query.length >= 3 && lower.includes(query)) {
      ranked.push({ candidate, group: 1, score: lower.length, order });
    } else {
      const distance = editDistance(query, lower);
      if (distance <= limit) ranked.push({ candidate, group: 2, score: distance, order });
    }
  }
  ranked.sort((x, y) => x.group - y.group || x.score - y.score || x.order - y.order);
  return ranked.slice(0, max).map((r) => r.candidate);
}
