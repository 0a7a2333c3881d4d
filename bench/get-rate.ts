import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { mapLimit } from '../lake/concurrency';

export interface GetRate {
  objects: number;
  seconds: number;
  objects_per_s: number;
}

/**
 * The yardstick for staging from S3: the fewest steps that fetch every object under a prefix (list, then GET each
 * body with `concurrency` requests in flight), nothing parsed or written. The pipeline's stage-songs does the same
 * reads plus validation and staging; its rate over this one says what that costs.
 */
export async function minimalGetRate(s3: S3Client, bucket: string, prefix: string, concurrency: number): Promise<GetRate> {
  const started = process.hrtime.bigint();
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  await mapLimit(keys, concurrency, async (key) => {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    await response.Body!.transformToByteArray();
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { objects: keys.length, seconds, objects_per_s: keys.length / seconds };
}
