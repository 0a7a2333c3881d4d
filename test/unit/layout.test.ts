import { DATA_FILE, StagingArea, SUCCESS_FILE, dataFileKey, lakeKeys, monthPartition, ownedPrefix, partitionPath } from '../../lake/layout';
import { TABLES, TABLE_NAMES } from '../../lake/tables/catalog';

const songsPath = (artist_id: unknown, year: unknown = 2000) => partitionPath(TABLES.songs, { year, artist_id });

describe('partitionPath', () => {
  it('names the partition columns in order as Hive folders', () => {
    expect(partitionPath(TABLES.songs, { year: 1999, artist_id: 'ARD7TVE1187B99BFB1', song_id: 'ignored' })).toBe('year=1999/artist_id=ARD7TVE1187B99BFB1');
    expect(partitionPath(TABLES.time, { year: 2018, month: 11 })).toBe('year=2018/month=11');
    expect(partitionPath(TABLES.songplays, { year: 2019, month: 1 })).toBe('year=2019/month=1');
  });

  it('is empty for unpartitioned tables', () => {
    expect(partitionPath(TABLES.artists, { artist_id: 'AR1' })).toBe('');
    expect(partitionPath(TABLES.users, { user_id: '1' })).toBe('');
  });

  it('keeps year 0 (unknown year in the song data) as a value, not as null', () => {
    expect(songsPath('AR1', 0)).toBe('year=0/artist_id=AR1');
  });

  it.each([
    [null, '__HIVE_DEFAULT_PARTITION__'],
    [undefined, '__HIVE_DEFAULT_PARTITION__'],
    ['', '__HIVE_DEFAULT_PARTITION__'],
  ])('writes %p as the Hive default partition', (value, expected) => {
    expect(songsPath(value)).toBe(`year=2000/artist_id=${expected}`);
    expect(partitionPath(TABLES.songs, { year: value, artist_id: 'AR1' })).toBe(`year=${expected}/artist_id=AR1`);
    expect(partitionPath(TABLES.songs, { artist_id: 'AR1' })).toBe('year=__HIVE_DEFAULT_PARTITION__/artist_id=AR1');
  });

  it.each([
    ['a/b', 'a%2Fb'],
    ['k=v', 'k%3Dv'],
    ['12:30', '12%3A30'],
    ['100%', '100%25'],
    ['#1', '%231'],
    ['why?', 'why%3F'],
    ['back\\slash', 'back%5Cslash'],
    ['"quoted"', '%22quoted%22'],
    ["it's", 'it%27s'],
    ['star*', 'star%2A'],
    ['{[x]}', '%7B%5Bx%5D}'], // Spark escapes { [ ] but not }
    ['a^b', 'a%5Eb'],
    ['tab\there', 'tab%09here'],
    ['line\nbreak', 'line%0Abreak'],
    ['\u0001\u001f', '%01%1F'],
    ['del\u007f', 'del%7F'],
  ])('escapes %p as Spark does', (value, escaped) => {
    expect(songsPath(value)).toBe(`year=2000/artist_id=${escaped}`);
  });

  it.each(['plain', 'with space', 'a-b_c.d', 'a&b', 'a+b', 'a<b>c|d', 'a,b;c', 'Björk', 'Motörhead', '東京', 'a~b!c@d$e(f)'])(
    'leaves %p as it is',
    (value) => {
      expect(songsPath(value)).toBe(`year=2000/artist_id=${value}`);
    },
  );

  it('escapes so that a value cannot add a folder level or a column=value pair', () => {
    const path = songsPath('../x=y/z');
    expect(path.split('/')).toHaveLength(2);
    expect(path).toBe('year=2000/artist_id=..%2Fx%3Dy%2Fz');
    // decodeURIComponent undoes it, as Spark's unescapePathName does.
    expect(decodeURIComponent(path.split('=').slice(2).join('='))).toBe('../x=y/z');
  });
});

describe('dataFileKey and ownedPrefix', () => {
  it('puts one data file per partition, or at the table root', () => {
    expect(DATA_FILE).toBe('part-00000.snappy.parquet');
    expect(dataFileKey('songplays', 'year=2018/month=11')).toBe('songplays/year=2018/month=11/part-00000.snappy.parquet');
    expect(dataFileKey('artists', '')).toBe('artists/part-00000.snappy.parquet');
  });

  it('gives fact tables (time, songplays) the month partition and dimensions the whole table', () => {
    const month = { year: 2018, month: 11 };
    expect(ownedPrefix('time', month)).toBe('time/year=2018/month=11/');
    expect(ownedPrefix('songplays', month)).toBe('songplays/year=2018/month=11/');
    expect(ownedPrefix('songs', month)).toBe('songs/');
    expect(ownedPrefix('artists', month)).toBe('artists/');
    expect(ownedPrefix('users', month)).toBe('users/');
  });

  it('owns exactly the files the month writes: month 1 does not own month 11', () => {
    const jan = ownedPrefix('songplays', { year: 2018, month: 1 });
    const nov = dataFileKey('songplays', partitionPath(TABLES.songplays, { year: 2018, month: 11 }));
    const ownJan = dataFileKey('songplays', partitionPath(TABLES.songplays, { year: 2018, month: 1 }));
    expect(nov.startsWith(jan)).toBe(false);
    expect(ownJan.startsWith(jan)).toBe(true);
  });

  it('owns every file a table writes for the month, for all five tables', () => {
    const month = { year: 2018, month: 11 };
    const row = { year: 2018, month: 11, artist_id: 'AR1' };
    for (const name of TABLE_NAMES) {
      const key = dataFileKey(name, partitionPath(TABLES[name], row));
      expect(key.startsWith(ownedPrefix(name, month))).toBe(true);
    }
  });
});

describe('lake keys and the staging area', () => {
  const month = { year: 2018, month: 11 };

  it('keeps everything that is not a table under a folder starting with "_"', () => {
    const keys = [
      lakeKeys.songQuarantine(),
      lakeKeys.eventQuarantine(month),
      lakeKeys.userState(month),
      lakeKeys.userStatePrefix(),
      lakeKeys.runReport(month, 'run-1'),
      lakeKeys.latestRunReport(month),
      new StagingArea('wf', 'run').root,
    ];
    for (const key of keys) expect(key.startsWith('_')).toBe(true);
    expect(SUCCESS_FILE.startsWith('_')).toBe(true);
    expect(lakeKeys.eventQuarantine(month)).toBe('_quarantine/events/year=2018/month=11/part-00000.ndjson');
    expect(lakeKeys.userState(month).startsWith(lakeKeys.userStatePrefix())).toBe(true);
    expect(monthPartition({ year: 2019, month: 2 })).toBe('year=2019/month=2');
  });

  it('makes ids safe as single folder names', () => {
    const area = new StagingArea('sparkify/2018-11 run', 'a:b/../c');
    expect(area.root).toBe('_staging/sparkify_2018-11_run/a_b_.._c/');
    expect(area.root.split('/')).toHaveLength(4);
  });

  it('pads part and batch numbers so keys sort in numeric order', () => {
    const area = new StagingArea('wf', 'run');
    expect(area.staged('events', 2, 10)).toBe('_staging/wf/run/staged/events/part-00002-b00010.ndjson');
    expect(area.staged('events', 2, 10).startsWith(area.stagedPrefix('events'))).toBe(true);
    expect(area.quarantine('songs', 0, 1).startsWith(area.quarantinePrefix('songs'))).toBe(true);
    expect(area.written('facts', 12).startsWith(area.writtenPrefix())).toBe(true);
    const keys = [9, 10, 100, 1].map((n) => area.tableRows('users', n));
    expect([...keys].sort()).toEqual([1, 9, 10, 100].map((n) => area.tableRows('users', n)));
  });
});
