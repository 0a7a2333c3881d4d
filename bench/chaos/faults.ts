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

/** Every host's link slowed: not a fault injected at a moment but a condition for the whole run. */
export function latencyOn(cluster: ChaosCluster, delay: string): { set: () => void; clear: () => void } {
  const hosts = ['services', ...NODES];
  return {
    set: () => hosts.forEach((h) => cluster.run('netem', h, 'delay', delay)),
    clear: () => hosts.forEach((h) => cluster.run('netem', h, 'clear')),
  };
}
