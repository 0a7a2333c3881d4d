/** Loopback ports for the embedded dev server: the one asked for when it is free, else one the OS hands out. */
import net from 'node:net';

export const LOOPBACK = '127.0.0.1';

/** Whether nothing listens on the port: binding it ourselves is the only check that covers every kind of listener. */
export function portIsFree(port: number, host = LOOPBACK): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** A port free right now, chosen by the OS. */
export function anyFreePort(host = LOOPBACK): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ port: 0, host, exclusive: true }, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** `preferred` when free; otherwise a free port, never one another process listens on. */
export async function choosePort(preferred: number, host = LOOPBACK): Promise<{ port: number; moved: boolean }> {
  if (await portIsFree(preferred, host)) return { port: preferred, moved: false };
  return { port: await anyFreePort(host), moved: true };
}
