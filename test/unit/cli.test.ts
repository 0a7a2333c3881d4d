/**
 * The command line as a user meets it, in processes of its own: every command answers --help without a server, and a
 * bad value fails at once, naming the option, with exit code 2, before anything connects or starts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT, requireBuild, sparkifySync } from '../helpers/cli';

/** Far above what parsing takes (~0.2 s of CPU), far below what loading the Temporal SDK and connecting take. */
const PARSE_CPU_MS = 1000;

const COMMANDS = [
  ['run'],
  ['backfill'],
  ['schedule'],
  ...['create', 'update', 'describe', 'list', 'pause', 'unpause', 'trigger', 'delete', 'backfill'].map((s) => ['schedule', s]),
  ['worker'],
  ['replay'],
  ['gc'],
  ['generate'],
];

beforeAll(requireBuild);

describe('sparkify --help', () => {
  it.each(COMMANDS)('%s %s answers --help on stdout with its usage and the exit codes, without loading the Temporal SDK', (...command) => {
    const { code, stdout, stderr, probe } = sparkifySync([...command, '--help']);
    expect(stderr).toBe('');
    expect(stdout).toContain(`Usage: sparkify ${command.join(' ')}`);
    expect(stdout).toMatch(/Exit codes:\n +0 +success\n +1 +the run failed[^\n]*\n +2 +bad usage or settings\n +3 [^\n]+\n +4 +Temporal was unreachable/);
    expect(code).toBe(0);
    expect(probe.temporalLoaded).toBe(false);
  });

  it('lists every command at the top level, also with no arguments at all', () => {
    for (const args of [['--help'], []]) {
      const { code, stdout } = sparkifySync(args);
      for (const command of ['run', 'backfill', 'schedule', 'worker', 'replay', 'gc', 'generate']) expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
      expect(code).toBe(0);
    }
  });

  it("lists schedule's subcommands, and each command's options", () => {
    expect(sparkifySync(['schedule', '--help']).stdout).toMatch(/create[\s\S]*update[\s\S]*describe[\s\S]*list[\s\S]*pause[\s\S]*unpause[\s\S]*trigger[\s\S]*delete[\s\S]*backfill/);
    const create = sparkifySync(['schedule', 'create', '--help']).stdout;
    for (const option of ['--id', '--at', '--cron', '--paused', '--input', '--output', '--config']) expect(create).toContain(option);
    const backfill = sparkifySync(['backfill', '--help']).stdout;
    for (const option of ['--from', '--to', '--parallelism', '--skip-loaded', '--only-failed', '--json', '--no-progress', '--embedded']) expect(backfill).toContain(option);
  });

  it('--version prints the version of package.json', () => {
    const { version } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    const { code, stdout } = sparkifySync(['--version']);
    expect(stdout.trim()).toBe(version);
    expect(code).toBe(0);
  });
});

describe('bad arguments fail fast, naming the argument', () => {
  const cases: [string[], RegExp][] = [
    [['run', '--year', '2018', '--month', '13'], /--month\b.*'13' is invalid.*1 to 12/],
    [['run', '--year', '2018', '--month', '0'], /--month\b.*'0' is invalid/],
    [['run', '--year', '2018', '--month', 'nov'], /--month\b.*whole number/],
    [['run', '--year', '1800', '--month', '11'], /--year\b.*'1800' is invalid.*1900 to 9999/],
    [['run', '--year', '2018'], /--month is required/],
    [['run', '--month', '11'], /--year is required/],
    [['run', '--year', '2018', '--month', '11', '--serve'], /--serve goes with --embedded/],
    [['run', '--embedded', '--month', '13'], /--month\b.*'13' is invalid/],
    [['run', '--year', '2018', '--month', '11', '--reconnect-for', '-5'], /--reconnect-for\b.*'-5' is invalid.*0 or more/],
    [['run', '--bogus'], /unknown option '--bogus'/],
    [['backfill', '--from', '2019-01', '--to', '2018-11'], /--to \(2018-11\) is before --from \(2019-01\)/],
    [['backfill', '--from', '2018-1', '--to', '2019-01'], /--from\b.*'2018-1' is invalid.*a month like 2018-11/],
    [['backfill', '--from', '2018-11', '--to', '2019-13'], /--to\b.*'2019-13' is invalid/],
    [['backfill', '--to', '2019-01'], /required option '--from/],
    [['backfill', '--from', '2018-11', '--to', '2019-01', '--parallelism', '65'], /--parallelism\b.*'65' is invalid.*1 to 64/],
    [['backfill', '--from', '0999-11', '--to', '2019-01'], /--from\b.*year 999, outside 1900-9999/],
    [['schedule', 'create', '--at', '24:00'], /--at\b.*'24:00' is invalid.*time of day/],
    [['schedule', 'create', '--at', '3am'], /--at\b.*'3am' is invalid/],
    [['schedule', 'create', '--at', '03:00', '--cron', '0 3 * * *'], /--cron.*cannot be used with.*--at|--at.*cannot be used with.*--cron/],
    [['schedule', 'create', '--cron', '0 3 * *'], /--cron\b.*5 fields/],
    [['schedule', 'create', '--cron', '0 25 * * *'], /--cron\b.*hour field "25".*outside 0-23/],
    [['schedule', 'create', '--cron', '0 3 * FOO *'], /--cron\b.*month field "FOO"/],
    [['schedule', 'update'], /needs something to change: --at, --cron, --pause or --unpause/],
    [['schedule', 'update', '--pause', '--unpause'], /--pause.*cannot be used with.*--unpause|--unpause.*cannot be used with.*--pause/],
    [['schedule', 'backfill', '--from', '2019-02-30', '--to', '2019-03'], /--from\b.*no day 30 in 2019-02/],
    [['schedule', 'backfill', '--from', '2019-03', '--to', '2019-02'], /--to \(2019-02-28\) is before --from \(2019-03-01\)/],
    [['schedule'], /Usage: sparkify schedule/],
    [['schedule', 'pasue'], /unknown command 'pasue'/],
    [['gc', '--older-than', 'ten'], /--older-than\b.*whole number/],
    [['generate', '--months', '0'], /--months\b.*'0' is invalid/],
    [['replay'], /missing required argument 'files'/],
    [['bogus'], /unknown command 'bogus'/],
  ];

  it.each(cases)('sparkify %j', (args, message) => {
    // A folder of its own: an embedded server would leave its state in .sparkify there.
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'sparkify-cli-'));
    try {
      const { code, stdout, stderr, probe } = sparkifySync(args, { cwd });
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/^\s+at /m);
      expect(stdout).toBe('');
      expect(code).toBe(2);
      // Nothing connected or started: the Temporal SDK was never loaded, no embedded state was made, little CPU was used.
      expect(probe.temporalLoaded).toBe(false);
      expect(existsSync(path.join(cwd, '.sparkify'))).toBe(false);
      expect(probe.cpuMs).toBeLessThan(PARSE_CPU_MS);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
