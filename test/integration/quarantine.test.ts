import { fromNdjson } from '../../lake/ndjson';
import { generateDataset } from '../../lake/generate/generate';
import type { QuarantineRecord } from '../../lake/model';
import { runMonth } from '../../client/run-month';
import { rawEvent } from '../helpers/builders';
import { causeChain } from '../helpers/observe';
import { snapshotLake } from '../helpers/lake-snapshot';
import { createBucket, describeWithServers, startHarness, uniqueName, type TemporalHarness } from '../helpers/servers';

const play = (fields: Record<string, unknown>) =>
  JSON.stringify(
    rawEvent({
      artist: 'Quarantine Band', firstName: 'Q', itemInSession: 0, lastName: 'Test', length: 200.5, location: 'Nowhere, XX',
      sessionId: 9999, song: 'Bad Day', ts: Date.UTC(2018, 10, 15, 12), userAgent: 'agent', userId: '9999',
      ...fields,
    }),
  );

const BAD_LOG = 'log_data/2018/11/2018-11-30-zz-bad-events.json';
const BAD_LINES = [
  '{"page": "NextSong", "ts": 15',
  play({ userId: '' }),
  play({ ts: Date.UTC(2018, 11, 1, 0, 0, 1) }),
  play({ sessionId: 'abc' }),
  '[1, 2, 3]',
  play({ song: undefined }),
  play({ itemInSession: 1 }),
];

describeWithServers('bad input on a real run', () => {
  let h: TemporalHarness;
  afterAll(async () => h?.stop());

  it('quarantines every kind of bad record with its source, line and reason, and the run succeeds', async () => {
    h = await startHarness();
    const inputUri = `s3://${await createBucket(h.config, 'sparkify-bad-in')}/`;
    const outputUri = `s3://${await createBucket(h.config, 'sparkify-bad-lake')}/`;
    const input = h.stores.open(inputUri);
    const generated = await generateDataset(input, { songs: 120, users: 20, events: 1500, from: { year: 2018, month: 11 }, months: 1, seed: 7 });
    await input.put('song_data/Z/Z/Z/TRZZZBAD000001.json', '{"song_id": "SOBAD", "title": ');
    await input.put('song_data/Z/Z/Z/TRZZZBAD000002.json', JSON.stringify({ title: 'No Id', artist_id: 'ARX', artist_name: 'X', duration: 1, year: 1 }));
    await input.put('song_data/Z/Z/Z/TRZZZBAD000003.json', JSON.stringify({ song_id: 'SOX', title: 'T', artist_id: 'ARX', artist_name: 'X', duration: 'long', year: 1 }));
    // Line 8: a play written in Latin-1 (é as the single byte 0xE9), which must not load with U+FFFD in it.
    await input.put(BAD_LOG, Buffer.concat([Buffer.from(`${BAD_LINES.join('\n')}\n`), Buffer.from(play({ song: 'Café' }), 'latin1')]));

    const { report } = await runMonth(h.client, h.config, { year: 2018, month: 11, input: inputUri, output: outputUri }, uniqueName('sparkify-bad'));

    expect(report.quarantined.byReason).toEqual({
      'invalid-json': 2,
      'missing-field': 2,
      'wrong-type': 2,
      'missing-user-id': 1,
      'outside-month': 1,
      'not-an-object': 1,
      'invalid-utf8': 1,
    });
    expect(report.quarantined.bySource).toEqual({ songs: 3, events: 7 });
    expect(report.tables.songs).toBe(120);
    expect(report.tables.songplays).toBe(generated.nextSongEvents + 1);

    const lake = h.stores.open(outputUri);
    const events = fromNdjson<QuarantineRecord>(await lake.get('_quarantine/events/year=2018/month=11/part-00000.ndjson'));
    expect(events.map((r) => [r.source_key, r.line, r.reason])).toEqual([
      [BAD_LOG, 1, 'invalid-json'],
      [BAD_LOG, 2, 'missing-user-id'],
      [BAD_LOG, 3, 'outside-month'],
      [BAD_LOG, 4, 'wrong-type'],
      [BAD_LOG, 5, 'not-an-object'],
      [BAD_LOG, 6, 'missing-field'],
      [BAD_LOG, 8, 'invalid-utf8'],
    ]);
    expect(events[3].detail).toContain('sessionId');
    const songs = fromNdjson<QuarantineRecord>(await lake.get('_quarantine/songs/part-00000.ndjson'));
    expect(songs.map((r) => [r.source_key.slice(-10), r.reason])).toEqual([
      ['00001.json', 'invalid-json'],
      ['00002.json', 'missing-field'],
      ['00003.json', 'wrong-type'],
    ]);

    const snapshot = await snapshotLake(lake);
    expect(snapshot.counts.songplays).toBe(generated.nextSongEvents + 1);
    expect(snapshot.rows.songplays).toContainEqual(expect.objectContaining({ user_id: '9999', session_id: '9999', level: 'free' }));
  });

  it('fails fast, without retries, when the input has no data for the month', async () => {
    const emptyUri = `s3://${await createBucket(h.config, 'sparkify-empty')}/`;
    const workflowId = uniqueName('sparkify-empty');
    const failure = await runMonth(h.client, h.config, { year: 2018, month: 11, input: emptyUri, output: emptyUri }, workflowId).catch((e: unknown) => e);
    // Both stage tasks start at once; whichever lists its tree first names what is missing.
    expect(causeChain(failure)).toMatch(/No (song files|event logs for 2018-11) under s3:\/\/sparkify-empty-[0-9a-f]+\/(song_data|log_data\/2018\/11)\//);
    const description = await h.client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('FAILED');
    const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
    const attempts = (history.events ?? []).map((e) => e.activityTaskStartedEventAttributes?.attempt).filter(Boolean);
    expect(Math.max(...(attempts as number[]))).toBe(1);
  });
});
