/**
 * Calls to the Temporal frontend that outlast a short outage of it (a restart, a failover): the run goes on in the
 * cluster meanwhile, so the client waits for the frontend to come back instead of giving up on a run that succeeds.
 */
import { isGrpcServiceError } from '@temporalio/client';
import { DEFAULT_RECONNECT_MS } from './defaults';

export { DEFAULT_RECONNECT_MS };

export interface ReconnectOptions {
  /** How long calls keep retrying while the frontend is unreachable; 0 gives up at the first connection error. */
  reconnectForMs?: number;
  /** Told once when the frontend is lost and once when it answers again. */
  onConnection?: (event: ConnectionEvent) => void;
  /** For tests: the pause between attempts. */
  sleep?: (ms: number) => Promise<void>;
}

export type ConnectionEvent = { state: 'lost'; error: unknown; giveUpInMs: number } | { state: 'back'; afterMs: number };

/** The frontend gave no answer for the whole reconnect window. */
export class TemporalUnreachable extends Error {
  override readonly name = 'TemporalUnreachable';
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
  }
}

/** Codes a frontend that is down or restarting answers with; a failure of the run itself never carries these. */
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;
const CONNECTION_CODES: number[] = [GRPC_UNAVAILABLE, GRPC_DEADLINE_EXCEEDED];
const CONNECTION_ERRNOS = ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND'];

export function isConnectionError(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e) && CONNECTION_CODES.includes(e.code)) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_ERRNOS.includes(code)) return true;
    // Connection.connect reports an unreachable server as a plain error naming the address.
    if (/Failed to connect before the deadline|No connection established|connect ECONNREFUSED/i.test(e.message)) return true;
  }
  return false;
}

/**
 * Runs `call`, and again with backoff (1 s doubling to 15 s) while it fails on a connection error, for at most
 * `reconnectForMs` after the first such failure. Any other error passes through at once.
 */
export async function reconnecting<T>(call: () => Promise<T>, options: ReconnectOptions = {}): Promise<T> {
  const windowMs = options.reconnectForMs ?? DEFAULT_RECONNECT_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let lostAt: number | undefined;
  let delay = 1000;
  for (;;) {
    try {
      const value = await call();
      if (lostAt !== undefined) options.onConnection?.({ state: 'back', afterMs: Date.now() - lostAt });
      return value;
    } catch (err) {
      if (!isConnectionError(err)) {
        if (lostAt !== undefined) options.onConnection?.({ state: 'back', afterMs: Date.now() - lostAt });
        throw err;
      }
      const now = Date.now();
      if (lostAt === undefined) {
        lostAt = now;
        options.onConnection?.({ state: 'lost', error: err, giveUpInMs: windowMs });
      }
      const left = lostAt + windowMs - now;
      if (left <= 0) {
        throw new TemporalUnreachable(`Temporal did not answer for ${Math.round((now - lostAt) / 1000)} s: ${(err as Error).message}`, { cause: err });
      }
      await sleep(Math.min(delay, left));
      delay = Math.min(delay * 2, 15_000);
    }
  }
}
