import { Client, Connection } from '@temporalio/client';
import type { LakeConfig } from '../lake/config';

/** A client of the configured Temporal server for the length of `use`; the connection is closed however it ends. */
export async function withTemporalClient<T>(config: LakeConfig, use: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address: config.temporal.address });
  try {
    return await use(new Client({ connection, namespace: config.temporal.namespace }));
  } finally {
    await connection.close();
  }
}
