/** A call's place in a fan-out, as activities/contract.ts's FanOutCall gives it (repeated here: the engine imports no activity code). */
type FanOutPhase = { phase: 'plan' } | { phase: 'part'; part: number; parts: number } | { phase: 'finish'; parts: number };

/**
 * How a DAG call names its part, in its Web UI summary (`write-dimensions 3/8`), its log lines and the bench's reading
 * of a history: `plan`, `n/N` (1-based) or `finish`; none for a task run as one call.
 */
export function partLabel(fanOut: FanOutPhase | undefined): string | undefined {
  if (!fanOut) return undefined;
  return fanOut.phase === 'part' ? `${fanOut.part + 1}/${fanOut.parts}` : fanOut.phase;
}

/** The Web UI summary of a call: its task, then its part label if it has one. */
export function callSummary(task: string, fanOut: FanOutPhase | undefined): string {
  const label = partLabel(fanOut);
  return label === undefined ? task : `${task} ${label}`;
}
