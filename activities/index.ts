/** The Sparkify DAG's steps, as Temporal activities; each wraps an engine step from lake/steps. */
import type { LakeConfig } from '../lake/config';
import { StoreFactory } from '../lake/storage/location';
import { auditActivity } from './audit';
import type { SparkifyActivities } from './contract';
import { discardStagingActivity } from './discard-staging';
import { publishActivity } from './publish';
import { stageActivity } from './stage';
import { transformDimensionsActivity } from './transform-dimensions';
import { transformFactsActivity } from './transform-facts';
import { writePartitionsActivity } from './write-partitions';

export function createActivities(config: LakeConfig): SparkifyActivities {
  const deps = { config, stores: new StoreFactory(config.s3) };
  return {
    stage: stageActivity(deps),
    transformDimensions: transformDimensionsActivity(deps),
    transformFacts: transformFactsActivity(deps),
    writePartitions: writePartitionsActivity(deps),
    audit: auditActivity(deps),
    publish: publishActivity(deps),
    discardStaging: discardStagingActivity(deps),
  };
}
