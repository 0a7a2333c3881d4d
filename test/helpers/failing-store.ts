import { LocalStore } from '../../lake/storage/local-store';

/** A local store whose writes fail from the `failAt`-th one on, as a worker dying in the middle of a step would. */
export class FailingStore extends LocalStore {
  writes = 0;

  constructor(
    root: string,
    private readonly failAt: number,
  ) {
    super(root);
  }

  override async put(key: string, body: Buffer | string): Promise<void> {
    this.count();
    return super.put(key, body);
  }

  override async putFile(key: string, localPath: string): Promise<void> {
    this.count();
    return super.putFile(key, localPath);
  }

  private count(): void {
    if (++this.writes >= this.failAt) throw new Error('simulated crash');
  }
}
