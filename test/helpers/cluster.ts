import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(REPO_ROOT, 'infra', 'cluster.sh');

/** Why the three-host cluster cannot be made here, or undefined when it can. */
export function clusterUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root (network namespaces need it)';
  if (spawnSync('ip', ['-V']).status !== 0) return 'no `ip` (iproute2)';
  if (!existsSync('/usr/lib/postgresql/15/bin/postgres') && !process.env.PG_BIN) return 'no PostgreSQL 15 at /usr/lib/postgresql/15/bin';
  return undefined;
}

/** `describe` when a cluster can be made here; otherwise a skipped block that says why. */
export const describeWithCluster: jest.Describe = clusterUnavailable() === undefined
  ? describe
  : (((name: string, fn: () => void) => {
      console.warn(`Skipping "${name}": ${clusterUnavailable()}`);
      return describe.skip(name, fn);
    }) as jest.Describe);

/**
 * One cluster made by infra/cluster.sh, with a name, subnet and folder of its own, so a developer's cluster
 * (spk, 10.213.0) and this one never meet.
 */
export class TestCluster {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'sparkify-cluster-'));
  readonly name = `spkt${process.pid % 1000}`;
  readonly subnet = `10.213.${100 + (process.pid % 100)}`;

  /** The script's own environment: this process's, without the test servers' Temporal and S3 settings. */
  private scriptEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^(TEMPORAL_(?!CLI_PATH)|S3_|AWS_|SPARKIFY_)/.test(k)) env[k] = v;
    return { ...env, SPARKIFY_CLUSTER_DIR: this.dir, SPARKIFY_CLUSTER_NAME: this.name, SPARKIFY_CLUSTER_SUBNET: this.subnet, ...extra };
  }

  /** Runs `cluster.sh ARGS`; throws with its output when it fails. */
  script(args: string[], extra: NodeJS.ProcessEnv = {}): string {
    const result = spawnSync('bash', [SCRIPT, ...args], { env: this.scriptEnv(extra), encoding: 'utf8', maxBuffer: 64 << 20, timeout: 15 * 60_000 });
    if (result.status !== 0) throw new Error(`cluster.sh ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  }

  /** What `eval "$(cluster.sh env)"` sets, as an object. */
  env(): Record<string, string> {
    const shown = execFileSync('bash', ['-c', `eval "$(bash ${JSON.stringify(SCRIPT)} env)" && env -0`], { env: { PATH: process.env.PATH, ...this.scriptEnv() }, encoding: 'utf8' });
    const names = [...this.script(['env']).matchAll(/^export ([A-Z_0-9]+)=/gm)].map((m) => m[1]);
    const all = Object.fromEntries(shown.split('\0').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    return Object.fromEntries(names.map((n) => [n, all[n]]));
  }

  /** This machine's shell after `eval "$(cluster.sh env)"`: PATH, HOME and the cluster's variables, nothing else. */
  shellEnv(): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH, ...this.env() };
  }

  /** The process groups the script recorded: what `down` must have stopped. */
  recordedGroups(): number[] {
    const dir = path.join(this.dir, 'state', 'pids');
    return existsSync(dir) ? readdirSync(dir).map((f) => Number(readFileSync(path.join(dir, f), 'utf8'))) : [];
  }

  namespaces(): string[] {
    return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.split(' ')[0])
      .filter((n) => n.startsWith(`${this.name}-`));
  }

  links(): string[] {
    return execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.split(': ')[1]?.split('@')[0])
      .filter((n): n is string => n !== undefined && n.startsWith(`${this.name}-`));
  }
}

export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
