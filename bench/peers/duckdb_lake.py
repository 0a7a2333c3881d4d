#!/usr/bin/env python3
"""The Sparkify star schema built with DuckDB SQL: a benchmark peer of the Temporal pipeline.

    python duckdb_lake.py --input DIR --output DIR --year 2018 --month 11

Reads DIR/song_data/**/*.json (one JSON object per file) and DIR/log_data/YYYY/MM/*.json (JSON lines), builds songs,
artists, users, time and songplays with the pipeline's semantics (README "The tables", lake/tables/*.ts) and writes
them as snappy Parquet in Hive partition folders, partition columns only in the path, as Spark's partitionBy does.
Dimension tables replace their whole folder; time and songplays replace only the run's month partition. Logs go to
stderr; stdout gets one JSON line: {"system":"duckdb","engine":"duckdb 1.5.6","steps":{...},"rows":{...}}.

Semantics kept from the pipeline, beyond the table definitions:
- a record missing a required field (or, for ids and level, blank) is dropped, as the pipeline quarantines it;
- songs: one row per song_id; when song files repeat an id, the file with the smallest path wins;
- artists: attributes of the artist's song with the smallest song_id (then smallest path);
- users: the month's latest NextSong event per userId by ts, sessionId, itemInSession (then the pipeline's
  tie-break: greater first_name, last_name, gender, level, a null counting as the greatest);
- songplays: matched to the song with the same title and artist name and |duration - length| <= 0.001 (the
  pipeline adds 1e-9 so 0.001 stays inclusive in binary floating point; so does this), smallest song_id first.
Only users differ by design: the pipeline merges users over every month loaded, a peer sees the one month it runs.

Input and output may be s3:// locations (the duckdb-s3 peer): httpfs is loaded from the file PyPI's
duckdb-ext-httpfs installs (nothing is downloaded) and the endpoint and keys come from S3_ENDPOINT, AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY and AWS_REGION. An S3 output prefix must be empty: nothing is removed there before writing.

Malformed input is skipped rather than quarantined, and not quite as the pipeline judges it: files are read as JSON
lines (the Million Song Dataset's files are one line; a pretty-printed one is skipped here and accepted there), and a
value of the wrong JSON type that casts (userId 42, length "12") is kept here where the pipeline rejects it.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import sysconfig
import tempfile
import time
from urllib.parse import urlparse

import duckdb

from peer_run import is_s3, join, parse_peer_run

# JavaScript's String.prototype.trim() whitespace, as an RE2 class: the pipeline calls an id blank when trim() empties it.
JS_WHITESPACE = r"[\t\n\x{0B}\f\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}]"
TOLERANCE = "(CAST(0.001 AS DOUBLE) + CAST(1e-9 AS DOUBLE))"

SONG_COLUMNS = {
    "song_id": "VARCHAR",
    "title": "VARCHAR",
    "duration": "DOUBLE",
    "year": "BIGINT",
    "artist_id": "VARCHAR",
    "artist_name": "VARCHAR",
    "artist_location": "VARCHAR",
    "artist_latitude": "DOUBLE",
    "artist_longitude": "DOUBLE",
}

EVENT_COLUMNS = {
    "ts": "BIGINT",
    "page": "VARCHAR",
    "userId": "VARCHAR",
    "firstName": "VARCHAR",
    "lastName": "VARCHAR",
    "gender": "VARCHAR",
    "level": "VARCHAR",
    "sessionId": "BIGINT",
    "itemInSession": "BIGINT",
    "song": "VARCHAR",
    "artist": "VARCHAR",
    "length": "DOUBLE",
    "location": "VARCHAR",
    "userAgent": "VARCHAR",
}


def log(message: str) -> None:
    print(f"[duckdb-peer] {message}", file=sys.stderr, flush=True)


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def columns_struct(columns: dict[str, str]) -> str:
    return "{" + ", ".join(f"{sql_string(name)}: {sql_string(kind)}" for name, kind in columns.items()) + "}"


def not_blank(column: str) -> str:
    return f"({column} IS NOT NULL AND regexp_replace({column}, '{JS_WHITESPACE}+', '', 'g') <> '')"



def use_s3(con: duckdb.DuckDBPyConnection) -> None:
    """httpfs from the venv's duckdb-ext-httpfs (DuckDB cannot download it here), and MinIO's or S3's coordinates."""
    extensions = os.path.join(sysconfig.get_paths()["purelib"], "duckdb_ext", "extensions")
    if not os.path.isdir(extensions):
        raise SystemExit(f"no httpfs extension in {extensions}: install duckdb-ext-httpfs (bash bench/peers/setup.sh duckdb-s3)")
    con.execute(f"SET extension_directory = {sql_string(extensions)}")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("LOAD httpfs")
    endpoint = urlparse(os.environ.get("S3_ENDPOINT", "https://s3.amazonaws.com"))
    options = {
        "TYPE": "s3",
        "KEY_ID": os.environ["AWS_ACCESS_KEY_ID"],
        "SECRET": os.environ["AWS_SECRET_ACCESS_KEY"],
        "REGION": os.environ.get("AWS_REGION", "us-east-1"),
        "ENDPOINT": endpoint.netloc,
        "USE_SSL": "true" if endpoint.scheme == "https" else "false",
        # MinIO serves buckets under the path, as the pipeline's client asks it to.
        "URL_STYLE": "path" if "S3_ENDPOINT" in os.environ else "vhost",
    }
    con.execute("CREATE SECRET bench_s3 (" + ", ".join(f"{k} {sql_string(v) if k != 'TYPE' and k != 'USE_SSL' else v}" for k, v in options.items()) + ")")


def main() -> None:
    args = parse_peer_run(__doc__.split("\n\n")[0])
    source, output = args.source, args.output
    start_ms, end_ms = args.start_ms, args.end_ms
    song_glob = join(source, "song_data", "**", "*.json")
    log_glob = join(source, "log_data", f"{args.year:04d}", f"{args.month:02d}", "*.json")

    scratch = tempfile.mkdtemp(prefix=".duckdb-peer-", dir=None if is_s3(output) else os.path.dirname(output))
    con = duckdb.connect(":memory:", config={"allow_unsigned_extensions": "true"})
    try:
        if is_s3(source) or is_s3(output):
            use_s3(con)
        con.execute(f"SET temp_directory = {sql_string(scratch)}")
        # read_json's default 16 MB buffer per file exhausted 18.8 GiB on 100,000 song files; a song is a few hundred
        # bytes. Insertion order is irrelevant to partitioned writes and costs memory to keep.
        con.execute("SET memory_limit = '8GB'")
        con.execute("SET preserve_insertion_order = false")
        # The songs table has a partition per (year, artist_id): ~95,000 at 100,000 songs. With DuckDB's defaults its
        # partitioned COPY ran out of 7.4 GiB; fewer open files and earlier flushes keep it near 1 GiB (27 s here).
        con.execute("SET partitioned_write_max_open_files = 64")
        con.execute("SET partitioned_write_flush_threshold = 512")
        steps: dict[str, float] = {}

        started = time.perf_counter()
        log(f"reading {song_glob} and {log_glob}")
        con.execute(
            f"""
            CREATE TABLE song_records AS
            SELECT * EXCLUDE (filename), filename AS source_key
            FROM read_json({sql_string(song_glob)}, columns = {columns_struct(SONG_COLUMNS)},
                           format = 'newline_delimited', filename = true, ignore_errors = true,
                           maximum_object_size = 1048576)
            WHERE {not_blank('song_id')} AND {not_blank('artist_id')} AND title IS NOT NULL AND artist_name IS NOT NULL
              AND duration IS NOT NULL AND isfinite(duration) AND year IS NOT NULL
            """
        )
        con.execute(
            f"""
            CREATE TABLE plays AS
            SELECT row_number() OVER () AS play_no, *
            FROM read_json({sql_string(log_glob)}, columns = {columns_struct(EVENT_COLUMNS)},
                           format = 'newline_delimited', ignore_errors = true)
            WHERE page = 'NextSong' AND ts >= {start_ms} AND ts < {end_ms}
              AND {not_blank('userId')} AND {not_blank('level')}
              AND sessionId IS NOT NULL AND itemInSession IS NOT NULL
              AND song IS NOT NULL AND artist IS NOT NULL AND "length" IS NOT NULL AND isfinite("length")
            """
        )
        steps["read_s"] = round(time.perf_counter() - started, 3)
        (song_records,) = con.execute("SELECT count(*) FROM song_records").fetchone()
        (plays,) = con.execute("SELECT count(*) FROM plays").fetchone()
        log(f"read {song_records} song records and {plays} NextSong events of the month in {steps['read_s']} s")

        started = time.perf_counter()
        con.execute(
            """
            CREATE TABLE songs AS
            SELECT song_id, title, duration, year, artist_id, artist_name
            FROM song_records
            QUALIFY row_number() OVER (PARTITION BY song_id ORDER BY source_key) = 1
            """
        )
        rows: dict[str, int] = {}

        def copy(table: str, query: str, partition_by: list[str]) -> None:
            target = join(output, table)
            if is_s3(output):
                pass  # an empty prefix, as the docstring requires
            elif table in ("time", "songplays"):
                # The run owns its month's partition only, as the pipeline's facts do.
                shutil.rmtree(os.path.join(target, f"year={args.year}", f"month={args.month}"), ignore_errors=True)
            else:
                shutil.rmtree(target, ignore_errors=True)
            if partition_by:
                options = f"FORMAT parquet, COMPRESSION snappy, PARTITION_BY ({', '.join(partition_by)}), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'part-{{i}}'"
                destination = target
            else:
                if not is_s3(target):
                    os.makedirs(target, exist_ok=True)
                options = "FORMAT parquet, COMPRESSION snappy"
                destination = join(target, "part-00000.snappy.parquet")
            (count,) = con.execute(f"COPY ({query}) TO {sql_string(destination)} ({options})").fetchone()
            rows[table] = int(count)

        copy("songs", "SELECT song_id, title, duration, year, artist_id FROM songs", ["year", "artist_id"])
        copy(
            "artists",
            """
            SELECT artist_id, artist_name AS name, artist_location AS location,
                   artist_latitude AS latitude, artist_longitude AS longitude
            FROM song_records
            QUALIFY row_number() OVER (PARTITION BY artist_id ORDER BY song_id, source_key) = 1
            """,
            [],
        )
        copy(
            "users",
            """
            SELECT userId AS user_id, firstName AS first_name, lastName AS last_name, gender, level
            FROM plays
            QUALIFY row_number() OVER (
                PARTITION BY userId
                ORDER BY ts DESC, sessionId DESC, itemInSession DESC,
                         firstName DESC NULLS FIRST, lastName DESC NULLS FIRST, gender DESC NULLS FIRST, level DESC) = 1
            """,
            [],
        )
        copy(
            "time",
            """
            SELECT start_time, CAST(hour(start_time) AS INTEGER) AS hour, CAST(day(start_time) AS INTEGER) AS day,
                   CAST(week(start_time) AS INTEGER) AS week, CAST(dayofweek(start_time) + 1 AS INTEGER) AS weekday,
                   year(start_time) AS year, month(start_time) AS month
            FROM (SELECT DISTINCT CAST(epoch_ms(ts) AS TIMESTAMP_MS) AS start_time FROM plays)
            """,
            ["year", "month"],
        )
        copy(
            "songplays",
            f"""
            WITH matched AS (
                SELECT p.play_no, min(s.song_id) AS song_id, arg_min(s.artist_id, s.song_id) AS artist_id
                FROM plays p
                JOIN songs s ON s.title = p.song AND s.artist_name = p.artist
                            AND abs(s.duration - p."length") <= {TOLERANCE}
                GROUP BY p.play_no
            )
            SELECT CAST(hash(p.ts, p.userId, p.sessionId, p.itemInSession, p.song, p.artist, p."length") >> 1 AS BIGINT)
                       AS songplay_id,
                   CAST(epoch_ms(p.ts) AS TIMESTAMP_MS) AS start_time,
                   p.userId AS user_id, p.level, m.song_id, m.artist_id, p.sessionId AS session_id,
                   p.location, p.userAgent AS user_agent,
                   year(epoch_ms(p.ts)) AS year, month(epoch_ms(p.ts)) AS month
            FROM plays p LEFT JOIN matched m USING (play_no)
            """,
            ["year", "month"],
        )
        steps["transform_write_s"] = round(time.perf_counter() - started, 3)
        log(f"wrote {rows} to {output} in {steps['transform_write_s']} s")
    finally:
        con.close()
        shutil.rmtree(scratch, ignore_errors=True)

    order = ["songs", "artists", "users", "time", "songplays"]
    system = "duckdb-s3" if is_s3(source) or is_s3(output) else "duckdb"
    result = {"system": system, "engine": f"duckdb {duckdb.__version__}", "steps": steps, "rows": {t: rows[t] for t in order}}
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
