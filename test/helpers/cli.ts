import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(PROJECT_ROOT, 'bin', 'sparkify.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

export interface ProbedResult extends CliResult {
  /** CPU time the process used, and whether it loaded the Temporal SDK (see cli-probe.js). */
  probe: { cpuMs: number; temporalLoaded: boolean };
}

export function requireBuild(): void {
  if (!existsSync(path.join(PROJECT_ROOT, 'dist', 'cli', 'main.js'))) throw new Error('build first: npm run build (npm test does)');
}

/**
 * `sparkify ARGS` as a user runs it, in `cwd` (a fresh folder by default, so no dl.cfg or .sparkify of the project's
 * applies), with the probe preloaded.
 */
export function sparkifySync(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ProbedResult {
  const cwd = options.cwd ?? mkdtempSync(path.join(os.tmpdir(), 'sparkify-cli-'));
  const probeFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'sparkify-probe-')), 'probe.json');
  const started = Date.now();
  const { status, stdout, stderr } = spawnSync(process.execPath, ['--require', path.join(__dirname, 'cli-probe.js'), CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...(options.env ?? withoutSparkifySettings()), SPARKIFY_PROBE_FILE: probeFile },
  });
  const wallMs = Date.now() - started;
  const probe = JSON.parse(readFileSync(probeFile, 'utf8')) as ProbedResult['probe'];
  rmSync(path.dirname(probeFile), { recursive: true, force: true });
  if (!options.cwd) rmSync(cwd, { recursive: true, force: true });
  return { code: status, stdout, stderr, wallMs, probe };
}

/** The same, without blocking this process (a harness worker in it may have to serve the run). */
export function sparkify(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, wallMs: Date.now() - started }));
  });
}

/** This process's environment less the settings a developer's shell may carry. */
export function withoutSparkifySettings(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (/^(SPARKIFY_|TEMPORAL_)/.test(key)) delete env[key];
  return env;
}
