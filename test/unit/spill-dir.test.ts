import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { orphanedSpill, ownSpill, removeSpillDirs } from '../../lake/spill/spill-dir';
import { tempDir } from '../helpers/temp';

describe('spill folders a worker leaves', () => {
  // A folder standing in for TMPDIR: the machine's holds other processes' folders.
  const tmp = tempDir('spill-dirs', 'each');

  /** The pid of a process that has exited. */
  const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!;
  const leave = (name: string) => {
    mkdirSync(tmp.path(name, 'songplays'), { recursive: true });
    writeFileSync(tmp.path(name, 'songplays', 'rows.bin'), 'spilled');
  };

  it("a starting worker removes a killed process's folders and leaves a live process's and other files", async () => {
    leave(`sparkify-spill-${deadPid()}-aaaaaa`);
    leave(`sparkify-spill-${process.pid}-bbbbbb`);
    leave('sparkify-spill-1-cccccc');
    leave('someone-else');
    expect(await removeSpillDirs(orphanedSpill, tmp.root)).toBe(1);
    expect(readdirSync(tmp.root).sort()).toEqual(['someone-else', 'sparkify-spill-1-cccccc', `sparkify-spill-${process.pid}-bbbbbb`]);
  });

  it('a stopping worker removes its own folders, and only those', async () => {
    leave(`sparkify-spill-${process.pid}-aaaaaa`);
    leave(`sparkify-spill-${process.pid}-bbbbbb`);
    leave('sparkify-spill-1-cccccc');
    expect(await removeSpillDirs(ownSpill, tmp.root)).toBe(2);
    expect(readdirSync(tmp.root)).toEqual(['sparkify-spill-1-cccccc']);
  });
});
