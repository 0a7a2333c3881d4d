import { mkdirSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const NAME_PREFIX = 'sparkify-spill-';

/**
 * A private folder on the worker's local disk (under TMPDIR) for what a step would otherwise hold in memory. The
 * step removes it when it ends; its name carries the pid that made it, so a folder left by a process that was
 * killed is removed when a worker starts on the host and by the next step that opens one, and a worker that stops
 * removes what its own steps left (one cancelled past the shutdown's grace time).
 */
export class SpillDir {
  private constructor(readonly root: string) {}

  static async open(): Promise<SpillDir> {
    await removeSpillDirs(orphanedSpill);
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

/** Spill folders under TMPDIR whose maker `matches`: a dead process's (orphans), or this process's own. */
export async function removeSpillDirs(matches: (pid: number) => boolean, under = tmpdir()): Promise<number> {
  const entries = await fs.readdir(under).catch(() => [] as string[]);
  let removed = 0;
  for (const entry of entries) {
    const pid = Number(new RegExp(`^${NAME_PREFIX}(\\d+)-`).exec(entry)?.[1]);
    if (!pid || !matches(pid)) continue;
    await fs.rm(path.join(under, entry), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

export const orphanedSpill = (pid: number): boolean => !isAlive(pid);
export const ownSpill = (pid: number): boolean => pid === process.pid;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
