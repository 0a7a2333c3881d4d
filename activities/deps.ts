import type { LakeConfig } from '../lake/config';
import type { StoreFactory } from '../lake/storage/location';

/** What every activity needs from the worker process: its configuration and its shared storage clients. */
export interface ActivityDeps {
  config: LakeConfig;
  stores: StoreFactory;
}
