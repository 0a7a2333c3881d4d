/** `sparkify`: parses the command line (cli/program.ts) and turns what went wrong into the documented exit codes. */
import { CommanderError } from 'commander';
import { ConfigError } from '../lake/errors';
import { EXIT } from './exit-codes';
import { buildProgram } from './program';

export async function main(argv: string[]): Promise<number> {
  // `sparkify --help | head` closes the pipe before the help is written: the reader had enough, no error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(EXIT.ok);
  });
  let exitCode: number = EXIT.ok;
  const program = buildProgram((code) => (exitCode = code));
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.ok;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    // Commander has printed its message (or the help) already; --help and --version end with code 0.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (err instanceof ConfigError) {
      console.error(`sparkify: ${err.message}`);
      return EXIT.usage;
    }
    // Loaded only here, by then loaded by the command anyway: --help and bad options must not wait for the SDK.
    const [{ MonthAlreadyRunning }, { TemporalUnreachable }] = await Promise.all([import('../client/month-conflict'), import('../client/reconnect')]);
    if (err instanceof MonthAlreadyRunning) {
      console.error(`sparkify: ${err.message}`);
      return EXIT.alreadyRunning;
    }
    if (err instanceof TemporalUnreachable) {
      console.error(`sparkify: ${err.message}. The run may still be going on: ask again later with the same command.`);
      return EXIT.unreachable;
    }
    throw err;
  }
}
