import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Measured {
  wall_s: number;
  peak_rss_mb: number;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export interface MeasuredProcess {
  /** Sends a signal to the measured command itself (GNU time does not pass signals on). */
  signal(signal: NodeJS.Signals): void;
  /** Resolves once the process has printed text matching `pattern`. */
  printed(pattern: RegExp, timeoutMs?: number): Promise<void>;
  done: Promise<Measured>;
}

/**
 * Runs a command under GNU time, which reports the peak resident set of the largest process it waited for: the
 * figure a container or an EMR node would have to hold.
 */
export function measure(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): MeasuredProcess {
  const started = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-f', '__peak_rss_kb=%M', command, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const onData = () => listeners.forEach((l) => l());
  child.stdout.on('data', (d: Buffer) => ((stdout += d.toString()), onData()));
  child.stderr.on('data', (d: Buffer) => ((stderr += d.toString()), onData()));
  const done = new Promise<Measured>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => {
      const kb = Number(/__peak_rss_kb=(\d+)/.exec(stderr)?.[1] ?? NaN);
      resolve({
        wall_s: Number(process.hrtime.bigint() - started) / 1e9,
        peak_rss_mb: Math.round((kb / 1024) * 10) / 10,
        exitCode,
        stdout,
        stderr: stderr.replace(/__peak_rss_kb=\d+\n?/, ''),
      });
    });
  });
  return {
    signal(signal) {
      const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      for (const pid of children) process.kill(Number(pid), signal);
    },
    done,
    printed: (pattern, timeoutMs = 120_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(stdout) || pattern.test(stderr)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`${command} did not print ${pattern} in time:\n${stdout}\n${stderr}`));
        }, timeoutMs);
        listeners.add(check);
        done.then(() => check());
        check();
      }),
  };
}

/** Seconds since `since` (a process.hrtime.bigint() reading), to the hundredth. */
export function secondsSince(since: bigint): number {
  return Math.round(Number(process.hrtime.bigint() - since) / 1e7) / 100;
}

/** `n` to `decimals` places, for figures in the bench's JSON. */
export function roundTo(n: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(n * scale) / scale;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
