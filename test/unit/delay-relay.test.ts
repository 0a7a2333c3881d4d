import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { parseRoute, startRelay } from '../../bench/chaos/delay-relay';

/** An echo server on a free loopback port. */
async function echoServer(): Promise<net.Server> {
  const server = net.createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;

/** Sends `payload` through the relay and reads the echo back whole; resolves with it and the seconds it took. */
function roundTrip(port: number, payload: Buffer): Promise<{ echoed: Buffer; seconds: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const chunks: Buffer[] = [];
    let received = 0;
    const socket = net.connect(port, '127.0.0.1', () => socket.write(payload));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= payload.length) {
        socket.end();
        resolve({ echoed: Buffer.concat(chunks), seconds: Number(process.hrtime.bigint() - started) / 1e9 });
      }
    });
    socket.on('error', reject);
  });
}

describe('delay relay (latency where the kernel has no netem)', () => {
  const servers: net.Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it('passes every byte in order and holds each direction for the delay', async () => {
    const echo = await echoServer();
    servers.push(echo);
    const probe = await echoServer();
    const port = portOf(probe);
    await new Promise((r) => probe.close(r));
    servers.push(await startRelay({ port, host: '127.0.0.1', targetPort: portOf(echo) }, 150));

    const small = await roundTrip(port, Buffer.from('ping'));
    expect(small.echoed.toString()).toBe('ping');
    expect(small.seconds).toBeGreaterThanOrEqual(0.29);
    // More than the relay's high-water mark, so reading pauses and resumes on the way.
    const big = randomBytes(40 << 20);
    expect((await roundTrip(port, big)).echoed.equals(big)).toBe(true);
  });

  it('reads routes as PORT=HOST:PORT and refuses anything else', () => {
    expect(parseRoute('17233=10.213.0.2:7233')).toEqual({ port: 17233, host: '10.213.0.2', targetPort: 7233 });
    expect(() => parseRoute('17233:10.213.0.2:7233')).toThrow('a route is PORT=HOST:PORT');
  });
});
