import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { mapLimit } from '../lake/concurrency';
import { SignedRequests } from '../lake/storage/s3-signed-requests';

/** How the bodies are fetched: the SDK's GetObjectCommand, or signed requests as the pipeline sends them. */
export type GetClient = 'sdk' | 'signed';

export interface GetRate {
  client: GetClient;
  concurrency: number;
  objects: number;
  seconds: number;
  objects_per_s: number;
}

/**
 * The yardstick for staging from S3: the fewest steps that fetch every object under a prefix (list, then GET each
 * body with `concurrency` requests in flight), nothing parsed or written. The pipeline's stage-songs does the same
 * reads plus validation and staging; its rate over this one says what that costs.
 */
export async function minimalGetRate(s3: S3Client, bucket: string, prefix: string, concurrency: number, client: GetClient): Promise<GetRate> {
  const signed = client === 'signed' ? await SignedRequests.forBucket(s3, bucket) : undefined;
  if (client === 'signed' && !signed) throw new Error(`The endpoint rules for ${bucket} need the SDK's signing: no signed-request yardstick`);
  const started = process.hrtime.bigint();
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  await mapLimit(keys, concurrency, async (key) => {
    if (signed) {
      await signed.get(key);
      return;
    }
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    await response.Body!.transformToByteArray();
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { client, concurrency, objects: keys.length, seconds, objects_per_s: keys.length / seconds };
}
