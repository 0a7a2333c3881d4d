import { mkdirSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const NAME_PREFIX = 'sparkify-spill-';

/**
 * A private folder on the worker's local disk (under TMPDIR) for what a step would otherwise hold in memory. The
 * step removes it when it ends; a folder left by a process that was killed is removed by the next step that opens
 * one, since its name carries the pid that made it.
 */
export class SpillDir {
  private constructor(readonly root: string) {}

  static async open(): Promise<SpillDir> {
    await removeOrphans();
    return new SpillDir(await fs.mkdtemp(path.join(tmpdir(), `${NAME_PREFIX}${process.pid}-`)));
  }

  /**
   * A path inside the folder for `name`, its folders created. Synchronous, for encoders that open files as rows
   * arrive; names are ours (table and partition paths) and are kept inside the folder whatever they hold.
   */
  fileSync(name: string): string {
    const file = path.join(this.root, name.replace(/[^A-Za-z0-9._=/-]/g, '_').replace(/\.\.+/g, '_'));
    mkdirSync(path.dirname(file), { recursive: true });
    return file;
  }

  async remove(): Promise<void> {
    await fs.rm(this.root, { recursive: true, force: true });
  }
}

async function removeOrphans(): Promise<void> {
  const entries = await fs.readdir(tmpdir()).catch(() => [] as string[]);
  for (const entry of entries) {
    const pid = Number(/^sparkify-spill-(\d+)-/.exec(entry)?.[1]);
    if (pid && !isAlive(pid)) await fs.rm(path.join(tmpdir(), entry), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
