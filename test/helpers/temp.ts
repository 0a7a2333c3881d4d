/**
 * Temp folders for tests: each made when its tests start and removed when they end, pass or fail.
 *
 * Declared in a describe block (or at a file's top), not made there: Jest runs a block's body while it collects the
 * tests, but runs the block's hooks only when one of its tests runs. A folder made in the body outlives every run
 * that runs none of the block's tests (`-t` matching none of them, a describe.skip such as describeWithServers
 * without servers); one made by the block's beforeAll exists exactly when its afterAll runs too.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { LocalStore } from '../../lake/storage/local-store';

export class TempDir {
  /** Known at declaration, so a block's consts may name paths inside it; exists only between the hooks. */
  readonly root: string;

  constructor(name: string) {
    this.root = path.join(os.tmpdir(), `sparkify-${name}-${randomBytes(4).toString('hex')}`);
  }

  path(...parts: string[]): string {
    return path.join(this.root, ...parts);
  }

  store(dir: string): LocalStore {
    return new LocalStore(this.path(dir));
  }

  make(): void {
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * A folder for the enclosing block's tests ('all') or made afresh for each test ('each'). Hooks run in the order they
 * are declared: declare it after the afterAll that stops anything writing into it (a harness's worker), or a write
 * after the removal would make the folder again.
 */
export function tempDir(name: string, scope: 'all' | 'each' = 'all'): TempDir {
  const dir = new TempDir(name);
  (scope === 'all' ? beforeAll : beforeEach)(() => dir.make());
  (scope === 'all' ? afterAll : afterEach)(() => dir.remove());
  return dir;
}

