/** What several `sparkify` commands share: settings, locations, the client or embedded cluster they talk to. */
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { withTemporalClient } from '../client/connect';
import { DEFAULT_RECONNECT_MS, type ReconnectOptions } from '../client/reconnect';
import { DEFAULT_INPUT, type LakeConfig } from '../lake/config';
import { loadSettings } from '../client/temporal-connection';
import { generateDataset } from '../lake/generate/generate';
import { StoreFactory } from '../lake/storage/location';
import { listAll } from '../lake/storage/object-store';
import { startEmbedded } from './embedded';
import { printConnectionEvents } from './follow-month';

export function configFrom(options: { config?: string }): LakeConfig {
  return loadSettings({ file: options.config });
}

/** URIs given on the command line travel in workflow inputs; relative paths are resolved here, where they were meant. */
export function absoluteUri(uri: string): string;
export function absoluteUri(uri: string | undefined): string | undefined;
export function absoluteUri(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) ? uri : path.resolve(uri);
}

export function reconnectOptions(seconds: number | undefined, config: LakeConfig): ReconnectOptions {
  return { reconnectForMs: (seconds ?? DEFAULT_RECONNECT_MS / 1000) * 1000, onConnection: printConnectionEvents(config.temporal.address) };
}

/**
 * The embedded worker serves only this command, so the locations the command names are the ones it may use, besides
 * those the settings allow.
 */
export function allowing(config: LakeConfig, run: { input?: string; output?: string }): LakeConfig {
  return {
    ...config,
    allowedInputs: run.input ? [...config.allowedInputs, run.input] : config.allowedInputs,
    allowedOutputs: run.output ? [...config.allowedOutputs, run.output] : config.allowedOutputs,
  };
}

/** The embedded dev server keeps its state here, under the working folder, so past runs stay visible. */
export function embeddedStateDir(): string {
  return path.join(process.cwd(), '.sparkify');
}

/** Where a command's client is: the configured cluster, or the embedded dev server it started. */
export interface Cluster {
  client: Client;
  /** The settings with the address actually used (an embedded server may have moved off a taken port). */
  config: LakeConfig;
  uiUrl?: string;
}

/** A client on the configured cluster, or on an embedded dev server with a worker in this process. */
export async function withCluster<T>(config: LakeConfig, embedded: boolean, use: (cluster: Cluster) => Promise<T>, reconnect?: ReconnectOptions): Promise<T> {
  if (embedded) {
    const cluster = await startEmbedded(config, { stateDir: embeddedStateDir() });
    try {
      return await use({ client: cluster.env.client, config: cluster.config, uiUrl: cluster.uiUrl });
    } finally {
      await cluster.stop();
    }
  }
  return withTemporalClient(config, (client) => use({ client, config, uiUrl: config.temporal.uiUrl }), reconnect);
}

/**
 * The embedded default needs no data of the user's: when no input is given or configured, it makes a small synthetic
 * month once and reuses it.
 */
export async function ensureSampleInput(config: LakeConfig, inputOverride: string | undefined): Promise<void> {
  if (inputOverride || config.input !== path.join(process.cwd(), DEFAULT_INPUT)) return;
  const store = new StoreFactory(config.s3).open(config.input);
  if ((await listAll(store, 'song_data/')).length > 0) return;
  console.error(`No input configured: generating a small sample data set in ${config.input}`);
  await generateDataset(store, { songs: 500, users: 60, events: 8000, from: { year: 2018, month: 11 }, months: 1, seed: 42 });
}
