/**
 * `node dist/bench/chaos/delay-relay.js DELAY_MS PORT=HOST:PORT...`: TCP relays on 127.0.0.1 that hold every chunk
 * DELAY_MS before passing it on, in both directions, for a slow network where the kernel has no netem qdisc
 * (infra/cluster.sh `delay`). A chunk is held, not the connection: throughput stays, every round trip gains twice
 * the delay, as netem's delay on both ends of a link would add.
 */
import net from 'node:net';

/** Bytes waiting to be written before the relay stops reading the other side: a slow reader must not grow us. */
const HIGH_WATER = 16 << 20;

export interface Route {
  port: number;
  host: string;
  targetPort: number;
}

export function parseRoute(arg: string): Route {
  const match = /^(\d+)=([^:]+):(\d+)$/.exec(arg);
  if (!match) throw new Error(`a route is PORT=HOST:PORT, not '${arg}'`);
  return { port: Number(match[1]), host: match[2], targetPort: Number(match[3]) };
}

export function startRelay(route: Route, delayMs: number): Promise<net.Server> {
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: route.host, port: route.targetPort });
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      socket.on('error', () => undefined);
      socket.on('close', () => (client.destroy(), upstream.destroy()));
    }
    holdEach(client, upstream, delayMs);
    holdEach(upstream, client, delayMs);
  });
  return new Promise((resolve, reject) => server.once('error', reject).listen(route.port, '127.0.0.1', () => resolve(server)));
}

/** Every chunk from `from` reaches `to` delayMs after it arrived, in order (timers of one delay fire in order). */
function holdEach(from: net.Socket, to: net.Socket, delayMs: number): void {
  let held = 0;
  from.on('data', (chunk: Buffer) => {
    held += chunk.length;
    if (held + to.writableLength > HIGH_WATER) from.pause();
    setTimeout(() => {
      held -= chunk.length;
      if (!to.destroyed) to.write(chunk);
      if (from.isPaused() && held + to.writableLength <= HIGH_WATER) from.resume();
    }, delayMs);
  });
  to.on('drain', () => from.isPaused() && held + to.writableLength <= HIGH_WATER && from.resume());
  from.on('end', () => setTimeout(() => to.end(), delayMs));
}

async function main(): Promise<void> {
  const [delay, ...routes] = process.argv.slice(2);
  const delayMs = Number(delay);
  if (!Number.isFinite(delayMs) || delayMs < 0 || routes.length === 0) throw new Error('usage: delay-relay DELAY_MS PORT=HOST:PORT...');
  for (const route of routes.map(parseRoute)) await startRelay(route, delayMs);
  console.log(`delay-relay: ${delayMs} ms each way on ${routes.join(', ')}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
