import { Client, Connection } from '@temporalio/client';
import type { LakeConfig } from '../lake/config';
import { reconnecting, type ReconnectOptions } from './reconnect';

/**
 * A client of the configured Temporal server for the length of `use`; the connection is closed however it ends. With
 * `reconnect`, a frontend that is down at first is waited for as calls wait for it.
 */
export async function withTemporalClient<T>(config: LakeConfig, use: (client: Client) => Promise<T>, reconnect?: ReconnectOptions): Promise<T> {
  const connection = await reconnecting(() => connect(config.temporal.address), { reconnectForMs: 0, ...reconnect });
  try {
    return await use(new Client({ connection, namespace: config.temporal.namespace }));
  } finally {
    await connection.close();
  }
}

/** A connected Connection; a failed attempt's channel is closed, not left to linger until exit. */
async function connect(address: string): Promise<Connection> {
  const connection = Connection.lazy({ address });
  try {
    await connection.ensureConnected();
    return connection;
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw err;
  }
}
