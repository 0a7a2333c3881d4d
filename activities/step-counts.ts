/**
 * The counts in a step's result, for its "Step finished" log line: numbers, and objects of numbers one level down
 * (rows per table, quarantined records by reason). Keys, URIs and lists are left out: the line says how much, and
 * the run report says which.
 */
export function countsOf(result: unknown): Record<string, number | Record<string, number>> {
  const counts: Record<string, number | Record<string, number>> = {};
  if (typeof result !== 'object' || result === null) return counts;
  for (const [key, value] of Object.entries(result)) {
    if (typeof value === 'number') counts[key] = value;
    else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const numbers = Object.entries(value).filter((e): e is [string, number] => typeof e[1] === 'number');
      // An empty object says "none" (no record quarantined), which is a count too.
      if (numbers.length > 0 || Object.keys(value).length === 0) counts[key] = Object.fromEntries(numbers);
    }
  }
  return counts;
}
