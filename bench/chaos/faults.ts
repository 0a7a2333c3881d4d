import type { ChaosCluster } from './cluster';

export interface Fault {
  /** Short and unique: the column of the attempts table and part of the run's output prefix and workflow id. */
  id: string;
  name: string;
  inject: () => void | Promise<void>;
}

const NODES = ['node1', 'node2', 'node3'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The six faults of issue 11, in the order the all-in-one run injects them. */
export function issueFaults(cluster: ChaosCluster, linkDownMs: number): Fault[] {
  return [
    { id: 'kill-node1', name: 'SIGKILL the worker on node1, start it again', inject: () => (cluster.run('stop', 'worker-node1', '--kill'), cluster.run('start', 'worker-node1')) },
    {
      id: 'link-node2',
      name: `node2's link down ${linkDownMs / 1000} s`,
      inject: async () => {
        cluster.run('link', 'node2', 'down');
        try {
          await sleep(linkDownMs);
        } finally {
          cluster.run('link', 'node2', 'up');
        }
      },
    },
    { id: 'minio', name: 'restart MinIO', inject: () => cluster.run('restart', 'minio') },
    { id: 'temporal', name: 'restart Temporal', inject: () => cluster.run('restart', 'temporal') },
    { id: 'postgres', name: 'restart PostgreSQL', inject: () => cluster.run('restart', 'postgres') },
    {
      id: 'rolling',
      name: 'rolling restart of the workers (each drains, then starts)',
      inject: () => {
        for (const node of NODES) cluster.run('restart', `worker-${node}`);
      },
    },
  ];
}

/**
 * Every host's link slowed: not a fault injected at a moment but a condition for the whole run. With netem, `delayMs`
 * on what each of the four hosts sends; on a kernel without it, each worker's traffic to Temporal and MinIO (all
 * that crosses the bridge during a run) through relays that hold every chunk `delayMs` each way: the same added time
 * per round trip, without the kernel's packet-level queueing.
 */
export function latencyOn(cluster: ChaosCluster, delayMs: number, netem: boolean): { how: string; set: () => void; clear: () => void } {
  if (netem) {
    const hosts = ['services', ...NODES];
    return {
      how: `netem delay ${delayMs}ms on every host's link`,
      set: () => hosts.forEach((h) => cluster.run('netem', h, 'delay', `${delayMs}ms`)),
      clear: () => hosts.forEach((h) => cluster.run('netem', h, 'clear')),
    };
  }
  return {
    how: `${delayMs} ms each way on every worker's links to Temporal and MinIO (relays: no netem in this kernel)`,
    set: () => NODES.forEach((h) => cluster.run('delay', h, String(delayMs))),
    clear: () => NODES.forEach((h) => cluster.run('delay', h, 'off')),
  };
}
