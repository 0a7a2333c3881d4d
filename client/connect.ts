import { Client, Connection } from '@temporalio/client';
import type { LakeConfig } from '../lake/config';
import { reconnecting, type ReconnectOptions } from './reconnect';
import { diagnoseConnectFailure, temporalConnectionOptions, type TemporalConnectionOptions } from './temporal-connection';

/**
 * A client of the configured Temporal server for the length of `use`; the connection is closed however it ends. With
 * `reconnect`, a frontend that is down at first is waited for as calls wait for it.
 */
export async function withTemporalClient<T>(config: LakeConfig, use: (client: Client) => Promise<T>, reconnect?: ReconnectOptions): Promise<T> {
  // Built once, before the first attempt: a missing certificate is a settings error, not an outage to wait out.
  const options = temporalConnectionOptions(config.temporal);
  const connection = await reconnecting(() => connect(options), { reconnectForMs: 0, ...reconnect });
  try {
    return await use(new Client({ connection, namespace: config.temporal.namespace }));
  } finally {
    await connection.close();
  }
}

/** A connected Connection; a failed attempt's channel is closed, not left to linger until exit. */
async function connect(options: TemporalConnectionOptions): Promise<Connection> {
  const connection = Connection.lazy(options);
  try {
    await connection.ensureConnected();
    return connection;
  } catch (err) {
    await connection.close().catch(() => undefined);
    // A refused handshake looks like an outage to the gRPC client: told apart here, it fails at once, named.
    // Only "never connected": a server that answered at all (UNAVAILABLE while it starts) is waited for as before.
    if (/Failed to connect before the deadline/.test((err as Error).message)) throw (await diagnoseConnectFailure(options)) ?? err;
    throw err;
  }
}
