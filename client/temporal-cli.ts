import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const PROJECT_ROOT = path.resolve(__dirname, '..', existsSync(path.resolve(__dirname, '..', 'package.json')) ? '' : '..');

/**
 * Finds the `temporal` CLI: $TEMPORAL_CLI_PATH, PATH, the project's .tools/bin, else builds it from Go modules with
 * infra/tools/ensure-tool.sh. Returns undefined when none can be had, so callers may fall back to the SDK's download.
 */
export function findTemporalCli(): string | undefined {
  const script = path.join(PROJECT_ROOT, 'infra', 'tools', 'ensure-tool.sh');
  if (!existsSync(script)) return process.env.TEMPORAL_CLI_PATH;
  try {
    return execFileSync('bash', [script, 'temporal'], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export const projectRoot = PROJECT_ROOT;
