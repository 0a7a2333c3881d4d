import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../client/temporal-cli';
import { loadSettings } from '../../client/temporal-connection';
import { withCredentialsOf, type LakeConfig } from '../../lake/config';

const SCRIPT = path.join(projectRoot, 'infra', 'cluster.sh');

/** cluster.sh's message when the kernel cannot delay packets: the latency run is then reported as not run. */
export const NO_NETEM = /has no netem qdisc/;

/** A cluster of its own name, subnet and folder, beside any developer's. */
export class ChaosCluster {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'sparkify-chaos-'));
  readonly env = { ...process.env, SPARKIFY_CLUSTER_DIR: this.dir, SPARKIFY_CLUSTER_NAME: 'spkc', SPARKIFY_CLUSTER_SUBNET: '10.213.50', SPARKIFY_CLUSTER_UI: '0' };

  run(...args: string[]): string {
    const result = spawnSync('bash', [SCRIPT, ...args], { env: this.env, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (result.status !== 0) throw new Error(`cluster.sh ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    return result.stdout;
  }

  /** This machine's settings after `eval "$(cluster.sh env)"`. */
  settings(): LakeConfig {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
    for (const [, name, value] of this.run('env').matchAll(/^export ([A-Z_0-9]+)=(\S*)$/gm)) env[name] = value;
    return withCredentialsOf(loadSettings({ env, cwd: this.dir }), env);
  }

  /** Whether `netem` works here: a kernel built without sch_netem (some VMs' are) cannot add latency at all. */
  netemWorks(host: string): boolean {
    try {
      this.run('netem', host, 'delay', '0ms');
      this.run('netem', host, 'clear');
      return true;
    } catch (err) {
      if (NO_NETEM.test((err as Error).message)) return false;
      throw err;
    }
  }
}
