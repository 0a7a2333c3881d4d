/**
 * What the bench commands say to a user who asks for help or mistypes: the usage, not a stack trace. Runs the built
 * commands (npm test builds first); nothing here starts a server or generates data.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const bench = (script: string, ...args: string[]) => {
  const file = path.join(ROOT, 'dist', 'bench', `${script}.js`);
  if (!existsSync(file)) throw new Error('build first: npm run build (npm test does)');
  return spawnSync(process.execPath, [file, ...args], { encoding: 'utf8', timeout: 30_000 });
};

describe('bench commands on the command line', () => {
  it.each(['run', 'daily', 'history', 'chaos'])('%s --help prints its usage and runs nothing', (script) => {
    const { status, stdout, stderr } = bench(script, '--help');
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(stdout).toMatch(/^npm run (bench|bench:daily|bench:history|chaos) -- \[options\]/);
    expect(stdout).toContain('--scale small|medium|large');
  });

  it('an unknown option is refused with the usage, exit 2, no stack trace', () => {
    const { status, stderr } = bench('run', '--sclae', 'medium');
    expect(status).toBe(2);
    expect(stderr).toMatch(/^Unknown option '--sclae'/);
    expect(stderr).toContain('npm run bench -- [options]');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('a bad value is named, with the known ones', () => {
    const systems = bench('run', '--systems', 'sparkify-s3,duckdb-s4');
    expect(systems.status).toBe(2);
    expect(systems.stderr).toMatch(/^--systems: unknown duckdb-s4; known systems are sparkify-local, sparkify-s3, duckdb, duckdb-s3, pyspark, scaling\n/);
    const scale = bench('daily', '--scale', 'huge');
    expect(scale.status).toBe(2);
    expect(scale.stderr).toMatch(/^--scale must be one of small, medium, large\n/);
    // Checked before the data set is generated: nothing is written, and the answer comes at once.
    const workers = bench('run', '--workers', '2x');
    expect(workers.status).toBe(2);
    expect(workers.stderr).toMatch(/^--workers must be a whole number of at least 1\n/);
    const months = bench('history', '--months', '1');
    expect(months.stderr).toMatch(/^--months must be a whole number of at least 2\n/);
  });
});
