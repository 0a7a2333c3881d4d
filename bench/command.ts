/** A bad option or value on a bench command's line: said with the usage, not as a stack trace. */
export class UsageError extends Error {}

/**
 * Runs a bench command's `main`: `--help` (or `-h`) prints `usage` and runs nothing; an unknown option or a bad value
 * prints what was wrong and the usage, and exits 2; any other failure prints its stack and exits 1.
 */
export function runCommand(usage: string, main: () => Promise<void>): void {
  if (process.argv.slice(2).some((arg) => arg === '--help' || arg === '-h')) {
    console.log(usage);
    return;
  }
  main().catch((err: unknown) => {
    if (isUsageError(err)) {
      console.error(`${err.message}\n\n${usage}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  });
}

/** Ours, or node:util parseArgs' (an unknown option, a missing value), which throws a TypeError with a code. */
function isUsageError(err: unknown): err is Error {
  return err instanceof UsageError || (err instanceof Error && String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_'));
}

/** An option's value as a whole number of at least `least`; a UsageError naming the option otherwise. */
export function wholeNumber(text: string | undefined, option: string, least = 1): number {
  const value = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || value < least) throw new UsageError(`${option} must be a whole number of at least ${least}`);
  return value;
}
