/**
 * Counts turns of the event loop (one setImmediate each) until stopped: work that runs without letting the loop turn
 * leaves the count at zero.
 */
export function countLoopTurns(): { stop(): number } {
  let turns = 0;
  let spinning = true;
  const spin = () => {
    if (!spinning) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  return {
    stop() {
      spinning = false;
      return turns;
    },
  };
}
