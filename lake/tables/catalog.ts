/** The star schema's contract: every table's columns, in order, and its Hive partition columns. */
export type ColumnType = 'string' | 'double' | 'int32' | 'int64' | 'timestamp_ms';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  nullable: boolean;
}

export type TableName = 'songs' | 'artists' | 'users' | 'time' | 'songplays';

export interface TableSpec {
  name: TableName;
  columns: ColumnSpec[];
  /** Written only into the folder names, as Spark's partitionBy does. */
  partitionBy: string[];
}

const col = (name: string, type: ColumnType, nullable = false): ColumnSpec => ({ name, type, nullable });

export const TABLES: Record<TableName, TableSpec> = {
  songs: {
    name: 'songs',
    columns: [col('song_id', 'string'), col('title', 'string'), col('duration', 'double')],
    partitionBy: ['year', 'artist_id'],
  },
  artists: {
    name: 'artists',
    columns: [
      col('artist_id', 'string'),
      col('name', 'string'),
      col('location', 'string', true),
      col('latitude', 'double', true),
      col('longitude', 'double', true),
    ],
    partitionBy: [],
  },
  users: {
    name: 'users',
    columns: [
      col('user_id', 'string'),
      col('first_name', 'string', true),
      col('last_name', 'string', true),
      col('gender', 'string', true),
      col('level', 'string'),
    ],
    partitionBy: [],
  },
  time: {
    name: 'time',
    columns: [
      col('start_time', 'timestamp_ms'),
      col('hour', 'int32'),
      col('day', 'int32'),
      col('week', 'int32'),
      col('weekday', 'int32'),
    ],
    partitionBy: ['year', 'month'],
  },
  songplays: {
    name: 'songplays',
    columns: [
      col('songplay_id', 'int64'),
      col('start_time', 'timestamp_ms'),
      col('user_id', 'string'),
      col('level', 'string'),
      col('song_id', 'string', true),
      col('artist_id', 'string', true),
      col('session_id', 'int64'),
      col('location', 'string', true),
      col('user_agent', 'string', true),
    ],
    partitionBy: ['year', 'month'],
  },
};

export const TABLE_NAMES = Object.keys(TABLES) as TableName[];
