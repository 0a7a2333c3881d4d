/**
 * The `sparkify` command line: commands, options, their help and the checks of their values. Every value is checked
 * here, as commander reads it, so a bad one fails before any connection or server start, naming the option.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { projectRoot } from '../client/temporal-cli';
import { DEFAULT_RECONNECT_MS, DEFAULT_SCHEDULE_ID } from '../client/defaults';
import { crossChecks, cronExpression, dayText, monthNumber, monthText, timeOfDay, wholeNumber, yearNumber } from './arguments';
import { EXIT } from './exit-codes';
import type { ScheduleTarget } from './commands/schedule';

export const EXIT_CODES_HELP = `
Exit codes:
  ${EXIT.ok}  success
  ${EXIT.runFailed}  the run failed (backfill: at least one month failed); what failed is printed on stderr
  ${EXIT.usage}  bad usage or settings
  ${EXIT.alreadyRunning}  the month is already running with a different --input or --output
  ${EXIT.unreachable}  Temporal was unreachable for longer than --reconnect-for; the run may still be going on`;

function version(): string {
  return (JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/** A command's implementation, loaded only when it runs: the Temporal and AWS SDKs take a second to load. */
type Load<O> = () => Promise<(options: O) => Promise<number>>;
/** `check`, when given, looks at the options together before the implementation loads. */
type Action = <O>(load: Load<O>, check?: (options: O) => void) => (options: O) => Promise<void>;

/** Each command's action reports its exit code through `exit`, since commander ignores what actions return. */
export function buildProgram(exit: (code: number) => void): Command {
  const program = new Command('sparkify')
    .description("Sparkify's song and event JSON turned into a partitioned Parquet star schema, run as a DAG on Temporal.")
    .version(version(), '-V, --version', 'print the version and exit')
    .exitOverride()
    .showHelpAfterError('(sparkify <command> --help for usage)')
    .addHelpText('afterAll', EXIT_CODES_HELP);
  const action: Action = (load, check) => async (options) => {
    check?.(options);
    exit(await (await load())(options));
  };

  withConfig(program.command('run'))
    .description('Load one month into the lake, show its progress and print the run report.')
    .addOption(new Option('--year <yyyy>', 'the year of the month (default 2018 with --embedded)').argParser(yearNumber))
    .addOption(new Option('--month <m>', 'the month, 1-12 (default 11 with --embedded)').argParser(monthNumber))
    .option('--input <uri>', 'input: s3://bucket/prefix or a local path (default: [LAKE] INPUT of dl.cfg)')
    .option('--output <uri>', 'output lake: s3://bucket/prefix or a local path (default: [LAKE] OUTPUT)')
    .option('--embedded', 'start a local Temporal dev server and a worker for this run')
    .option('--serve', 'with --embedded: keep the server and its Web UI up until Ctrl-C')
    .addOption(reconnectFor())
    .option('--json', 'print the run report as JSON on stdout (default: text)')
    .option('--no-progress', "do not show the run's progress on stderr")
    .addHelpText(
      'after',
      `
If the month is already running with the same --input and --output, run waits for that run; with others it
refuses (exit ${EXIT.alreadyRunning}). Progress (tasks and parts done) goes to stderr, once a second: one line rewritten in
place on a terminal, a line per change otherwise. A failed run prints its failing task, error, whether a new run may
succeed and the history command on stderr, and exits ${EXIT.runFailed}.

Examples:
  sparkify run --embedded
  sparkify run --year 2018 --month 11 --input s3://udacity-dend/ --output s3://my-lake/`,
    )
    .action(action(async () => (await import('./commands/run')).runCommand, crossChecks.run));

  withConfig(program.command('backfill'))
    .description('Load a range of months, one sparkify-etl-YYYY-MM child workflow each, at most --parallelism at once.')
    .addOption(new Option('--from <yyyy-mm>', 'the first month').argParser(monthText).makeOptionMandatory())
    .addOption(new Option('--to <yyyy-mm>', 'the last month (not before --from)').argParser(monthText).makeOptionMandatory())
    .addOption(new Option('--parallelism <n>', 'months at once, 1-64').argParser(wholeNumber(1, 64)).default(2))
    .option('--input <uri>', 'input (default: [LAKE] INPUT of dl.cfg)')
    .option('--output <uri>', 'output lake (default: [LAKE] OUTPUT)')
    .option('--embedded', 'start a local Temporal dev server and a worker for this backfill')
    .addOption(reconnectFor())
    .option('--skip-loaded', "leave out months whose latest run report in the lake is from the same input and output, and whose event logs have not changed since")
    .option('--only-failed', "run only the months whose latest run failed, timed out or was terminated (Temporal's visibility)")
    .option('--json', 'print the result as JSON on stdout (default: text)')
    .option('--no-progress', 'do not show the months and tasks done on stderr')
    .addHelpText(
      'after',
      `
A month that fails does not stop the others; the backfill then ends failed, naming its failed months, prints each
one's failing task and error, and exits ${EXIT.runFailed}. Fix the cause and run the same command with --only-failed.

Examples:
  sparkify backfill --from 2018-11 --to 2019-01 --parallelism 2
  sparkify backfill --from 2018-11 --to 2019-01 --skip-loaded
  sparkify backfill --from 2018-11 --to 2019-01 --only-failed`,
    )
    .action(action(async () => (await import('./commands/backfill')).backfillCommand, crossChecks.backfill));

  addScheduleCommands(program.command('schedule'), action);

  withConfig(program.command('worker'))
    .description('Run a worker (workflows and activities) until SIGTERM or Ctrl-C; SIGTERM drains it.')
    .action(
      action(async () => {
        const [{ runWorker }, { configFrom }] = await Promise.all([import('../worker/main'), import('./common')]);
        return async (options: { config?: string }) => {
          await runWorker(configFrom(options));
          return EXIT.ok;
        };
      }),
    );

  program
    .command('replay')
    .description("Replay workflow histories (temporal workflow show --output json) against this build's workflows before a deploy.")
    .argument('<files...>', 'history files')
    .action(async (files: string[]) => {
      const { replayHistories } = await import('./replay');
      exit((await replayHistories(files)) === 0 ? EXIT.ok : EXIT.runFailed);
    });

  withConfig(program.command('gc'))
    .description('Remove the staging areas that closed runs left in a lake (a terminated run, dead workers).')
    .option('--output <uri>', 'the lake (default: [LAKE] OUTPUT)')
    .addOption(new Option('--older-than <minutes>', 'only staging unwritten for this long (default [LAKE] STAGING_GC_MINUTES, 60)').argParser(wholeNumber(0)))
    .option('--dry-run', 'only say what would be removed')
    .option('--json', 'print the result as JSON on stdout (default: text)')
    .action(action(async () => (await import('./commands/maintenance')).gcCommand));

  withConfig(program.command('generate'))
    .description('Write a deterministic synthetic Sparkify data set.')
    .option('--output <uri>', 'where to write it (default: [LAKE] INPUT)')
    .addOption(new Option('--songs <n>', 'song files').argParser(wholeNumber(1)).default(1000))
    .addOption(new Option('--users <n>', 'users').argParser(wholeNumber(1)).default(100))
    .addOption(new Option('--events <n>', 'events per month').argParser(wholeNumber(0)).default(10000))
    .addOption(new Option('--from <yyyy-mm>', 'the first month').argParser(monthText).default('2018-11'))
    .addOption(new Option('--months <k>', 'how many months').argParser(wholeNumber(1, 1200)).default(1))
    .addOption(new Option('--seed <s>', 'random seed').argParser(wholeNumber(0)).default(1))
    .option('--json', 'print the summary as JSON on stdout (default: text)')
    .action(action(async () => (await import('./commands/maintenance')).generateCommand));

  return program;
}

function addScheduleCommands(group: Command, action: Action): void {
  group.description('The Temporal Schedule of daily (or cron) runs, each loading the month of its scheduled time.').addHelpText(
    'after',
    `
Overlap policy SKIP (a run whose previous one still goes on is skipped), catch-up window one day. Times are UTC.`,
  );
  const at = () => new Option('--at <HH:MM>', 'daily at this UTC time').argParser(timeOfDay).conflicts('cron');
  const cron = () => new Option('--cron <expression>', 'a cron expression instead of the daily time, e.g. "0 3 * * 1-5" (UTC)').argParser(cronExpression);

  scheduleCommand(group, 'create', 'Create the schedule (daily at 03:00 UTC unless --at or --cron says otherwise).')
    .addOption(at())
    .addOption(cron())
    .option('--paused', 'create it paused')
    .option('--input <uri>', 'input of its runs (default: the workers\' [LAKE] INPUT)')
    .option('--output <uri>', 'output of its runs (default: the workers\' [LAKE] OUTPUT)')
    .action(action(async () => (await schedules()).createCommand));
  scheduleCommand(group, 'update', 'Change when the schedule fires, or pause or unpause it.')
    .addOption(at())
    .addOption(cron())
    .addOption(new Option('--pause', 'pause it').conflicts('unpause'))
    .option('--unpause', 'unpause it')
    .action(action(async () => (await schedules()).updateCommand, crossChecks.scheduleUpdate));
  scheduleCommand(group, 'describe', 'Print its spec, state, next and recent runs.')
    .option('--json', 'as JSON (default: text)')
    .action(action(async () => (await schedules()).describeCommand));
  withConfig(group.command('list'))
    .description('List the schedules of the namespace.')
    .option('--json', 'as a JSON array (default: one id a line)')
    .action(action(async () => (await schedules()).listCommand));
  for (const [name, description] of [
    ['pause', 'Pause it.'],
    ['unpause', 'Unpause it.'],
    ['trigger', 'Start one run now.'],
    ['delete', 'Delete it (runs it started go on).'],
  ] as const) {
    scheduleCommand(group, name, description).action(
      action(async () => {
        const { handleCommand } = await schedules();
        return (options: ScheduleTarget) => handleCommand(name, options);
      }),
    );
  }
  scheduleCommand(group, 'backfill', "Run the schedule over past dates: one run per month of the range, at the month's last scheduled time.")
    .addOption(new Option('--from <date>', 'first day, YYYY-MM-DD (a bare YYYY-MM is its first day)').argParser(dayText).makeOptionMandatory())
    .addOption(new Option('--to <date>', 'last day, YYYY-MM-DD (a bare YYYY-MM is its last day)').argParser(dayText).makeOptionMandatory())
    .action(action(async () => (await schedules()).backfillCommand, crossChecks.scheduleBackfill));
}

const schedules = () => import('./commands/schedule');

function scheduleCommand(group: Command, name: string, description: string): Command {
  return withConfig(group.command(name)).description(description).option('--id <schedule-id>', 'the schedule', DEFAULT_SCHEDULE_ID);
}

function withConfig(command: Command): Command {
  return command.option('--config <file>', 'dl.cfg to read (default: $SPARKIFY_CONFIG, else ./dl.cfg when present)');
}

function reconnectFor(): Option {
  return new Option('--reconnect-for <seconds>', 'how long to wait for an unreachable Temporal frontend')
    .argParser(wholeNumber(0))
    .default(DEFAULT_RECONNECT_MS / 1000);
}
