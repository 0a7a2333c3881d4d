#!/usr/bin/env python3
"""The classic Udacity PySpark data-lake job, in local mode: the benchmark peer our Temporal pipeline replaces.

    python spark_lake.py --input DIR --output DIR --year 2018 --month 11

spark.read.json on DIR/song_data/*/*/*/*.json and DIR/log_data/YYYY/MM/*.json, the five tables of the star schema
with the pipeline's semantics (README "The tables", lake/tables/*.ts; the same rules as duckdb_lake.py states), then
write.mode('overwrite').partitionBy(...).parquet(...) with snappy. Facts overwrite only the month's partitions
(dynamic partition overwrite), as the pipeline's facts do. Runs on local[*] with a 4 GB driver, session time zone
UTC, console logging at ERROR on stderr (bench/peers/log4j2.properties), scratch files in a temporary folder beside
the output that is removed at the end. stdout gets one JSON line:
{"system":"pyspark","engine":"pyspark 3.5.8","steps":{"startup_s":…,"read_s":…,"transform_write_s":…},"rows":{…}}.

The input is read with explicit schemas rather than inferred ones: inference costs a second pass over every file
and can type a column differently (a latitude that is null in every file becomes a string), so the tables could
differ from the pipeline's. The validated inputs are cached once, since every table reads them again. Malformed
input is dropped (PERMISSIVE mode nulls what does not parse, and the checks drop the record), except that a JSON number
where a string belongs (userId 42) is kept as its text where the pipeline rejects it.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time

from peer_run import PeerRun, parse_peer_run

HERE = os.path.dirname(os.path.abspath(__file__))

# JavaScript's String.prototype.trim() whitespace, as a Java regex class: the pipeline calls an id blank when trim()
# empties it.
JS_WHITESPACE = "[\\t\\n\\u000B\\f\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF]"
# The pipeline's song-matching tolerance: 0.001 s, plus 1e-9 so that 0.001 stays inclusive in binary floating point.
TOLERANCE = 0.001 + 1e-9


def log(message: str) -> None:
    print(f"[spark-peer] {message}", file=sys.stderr, flush=True)



def main() -> None:
    args = parse_peer_run(__doc__.split("\n\n")[0])
    source, output = args.source, args.output
    scratch = tempfile.mkdtemp(prefix=".spark-peer-", dir=os.path.dirname(output))
    # Loopback only: local mode needs no other interface, and this silences the "resolves to a loopback" warning.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    try:
        rows, steps = run(args, source, output, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    from pyspark import __version__ as pyspark_version

    print(json.dumps({"system": "pyspark", "engine": f"pyspark {pyspark_version}", "steps": steps, "rows": rows}), flush=True)


def run(args: PeerRun, source: str, output: str, scratch: str) -> tuple[dict[str, int], dict[str, float]]:
    started = time.perf_counter()
    from pyspark import StorageLevel
    from pyspark.sql import DataFrame, Observation, SparkSession, Window
    from pyspark.sql import functions as F
    from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

    java_options = " ".join(
        [
            f"-Dlog4j2.configurationFile=file:{os.path.join(HERE, 'log4j2.properties')}",
            f"-Djava.io.tmpdir={scratch}",
            f"-Dderby.system.home={scratch}",
            "-XX:-UsePerfData",  # no /tmp/hsperfdata_<user>
        ]
    )
    spark = (
        SparkSession.builder.appName("sparkify-lake-peer")
        .master("local[*]")
        .config("spark.driver.memory", "4g")
        .config("spark.driver.extraJavaOptions", java_options)
        .config("spark.local.dir", os.path.join(scratch, "local"))
        .config("spark.sql.warehouse.dir", os.path.join(scratch, "warehouse"))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.parquet.compression.codec", "snappy")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MILLIS")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # The song glob expands to one path per file; past 32 paths Spark lists them in a job of one task per path,
        # which in local mode runs on the same cores with a task's overhead per file (35 s instead of 4 s for 5,000
        # files). Listing on the driver is what local mode does best.
        .config("spark.sql.sources.parallelPartitionDiscovery.threshold", str(2**31 - 1))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    steps: dict[str, float] = {"startup_s": round(time.perf_counter() - started, 3)}
    log(f"Spark {spark.version} up in {steps['startup_s']} s")

    def not_blank(name: str):
        column = F.col(name)
        return column.isNotNull() & (F.regexp_replace(column, JS_WHITESPACE, "") != "")

    try:
        started = time.perf_counter()
        song_schema = StructType(
            [
                StructField("song_id", StringType()),
                StructField("title", StringType()),
                StructField("duration", DoubleType()),
                StructField("year", LongType()),
                StructField("artist_id", StringType()),
                StructField("artist_name", StringType()),
                StructField("artist_location", StringType()),
                StructField("artist_latitude", DoubleType()),
                StructField("artist_longitude", DoubleType()),
            ]
        )
        event_schema = StructType(
            [
                StructField("ts", LongType()),
                StructField("page", StringType()),
                StructField("userId", StringType()),
                StructField("firstName", StringType()),
                StructField("lastName", StringType()),
                StructField("gender", StringType()),
                StructField("level", StringType()),
                StructField("sessionId", LongType()),
                StructField("itemInSession", LongType()),
                StructField("song", StringType()),
                StructField("artist", StringType()),
                StructField("length", DoubleType()),
                StructField("location", StringType()),
                StructField("userAgent", StringType()),
            ]
        )
        song_data = os.path.join(source, "song_data", "*", "*", "*", "*.json")
        log_data = os.path.join(source, "log_data", f"{args.year:04d}", f"{args.month:02d}", "*.json")
        start_ms, end_ms = args.start_ms, args.end_ms

        song_records = (
            spark.read.schema(song_schema)
            .json(song_data)
            .withColumn("source_key", F.input_file_name())
            .where(
                not_blank("song_id")
                & not_blank("artist_id")
                & F.col("title").isNotNull()
                & F.col("artist_name").isNotNull()
                & F.col("duration").isNotNull()
                & ~F.isnan("duration")
                & F.col("year").isNotNull()
            )
            .persist(StorageLevel.MEMORY_AND_DISK)
        )
        plays = (
            spark.read.schema(event_schema)
            .json(log_data)
            .where(
                (F.col("page") == "NextSong")
                & (F.col("ts") >= start_ms)
                & (F.col("ts") < end_ms)
                & not_blank("userId")
                & not_blank("level")
                & F.col("sessionId").isNotNull()
                & F.col("itemInSession").isNotNull()
                & F.col("song").isNotNull()
                & F.col("artist").isNotNull()
                & F.col("length").isNotNull()
                & ~F.isnan("length")
            )
            .withColumn("play_no", F.monotonically_increasing_id())
            .persist(StorageLevel.MEMORY_AND_DISK)
        )
        song_count = song_records.count()
        play_count = plays.count()
        steps["read_s"] = round(time.perf_counter() - started, 3)
        log(f"read {song_count} song records and {play_count} NextSong events of the month in {steps['read_s']} s")

        started = time.perf_counter()
        songs = (
            song_records.withColumn("rn", F.row_number().over(Window.partitionBy("song_id").orderBy("source_key")))
            .where("rn = 1")
            .select("song_id", "title", "duration", "year", "artist_id", "artist_name")
        )
        artists = (
            song_records.withColumn(
                "rn", F.row_number().over(Window.partitionBy("artist_id").orderBy("song_id", "source_key"))
            )
            .where("rn = 1")
            .select(
                "artist_id",
                F.col("artist_name").alias("name"),
                F.col("artist_location").alias("location"),
                F.col("artist_latitude").alias("latitude"),
                F.col("artist_longitude").alias("longitude"),
            )
        )
        latest_first = Window.partitionBy("userId").orderBy(
            F.col("ts").desc(),
            F.col("sessionId").desc(),
            F.col("itemInSession").desc(),
            F.col("firstName").desc_nulls_first(),
            F.col("lastName").desc_nulls_first(),
            F.col("gender").desc_nulls_first(),
            F.col("level").desc(),
        )
        users = (
            plays.withColumn("rn", F.row_number().over(latest_first))
            .where("rn = 1")
            .select(
                F.col("userId").alias("user_id"),
                F.col("firstName").alias("first_name"),
                F.col("lastName").alias("last_name"),
                "gender",
                "level",
            )
        )
        time_table = (
            plays.select(F.expr("timestamp_millis(ts)").alias("start_time"))
            .distinct()
            .select(
                "start_time",
                F.hour("start_time").alias("hour"),
                F.dayofmonth("start_time").alias("day"),
                F.weekofyear("start_time").alias("week"),
                F.dayofweek("start_time").alias("weekday"),
                F.year("start_time").alias("year"),
                F.month("start_time").alias("month"),
            )
        )
        p, s = plays.alias("p"), songs.alias("s")
        matches = (
            p.join(
                s,
                (F.col("s.title") == F.col("p.song"))
                & (F.col("s.artist_name") == F.col("p.artist"))
                & (F.abs(F.col("s.duration") - F.col("p.length")) <= F.lit(TOLERANCE)),
            )
            .groupBy("p.play_no")
            # The smallest song_id among the candidates, with its artist.
            .agg(F.min(F.struct(F.col("s.song_id"), F.col("s.artist_id"))).alias("m"))
            .select("play_no", F.col("m.song_id").alias("song_id"), F.col("m.artist_id").alias("artist_id"))
        )
        songplays = (
            plays.join(matches, "play_no", "left")
            .withColumn("start_time", F.expr("timestamp_millis(ts)"))
            .select(
                F.xxhash64("ts", "userId", "sessionId", "itemInSession", "song", "artist", "length").alias("songplay_id"),
                "start_time",
                F.col("userId").alias("user_id"),
                "level",
                "song_id",
                "artist_id",
                F.col("sessionId").alias("session_id"),
                "location",
                F.col("userAgent").alias("user_agent"),
                F.year("start_time").alias("year"),
                F.month("start_time").alias("month"),
            )
        )

        rows: dict[str, int] = {}

        def write(name: str, frame: DataFrame, partition_by: list[str]) -> None:
            table_started = time.perf_counter()
            # Counts the rows as the write streams them, with no second job over the table.
            observation = Observation(name)
            writer = frame.observe(observation, F.count(F.lit(1)).alias("rows")).write.mode("overwrite")
            writer = writer.option("compression", "snappy")
            if partition_by:
                writer = writer.partitionBy(*partition_by)
            if name in ("time", "songplays"):
                # The run owns its month's partitions only; dimensions replace the whole table.
                writer = writer.option("partitionOverwriteMode", "dynamic")
            writer.parquet(os.path.join(output, name))
            rows[name] = int(observation.get["rows"])
            log(f"{name}: {rows[name]} rows in {time.perf_counter() - table_started:.1f} s")

        write("songs", songs.select("song_id", "title", "duration", "year", "artist_id"), ["year", "artist_id"])
        write("artists", artists, [])
        write("users", users, [])
        write("time", time_table, ["year", "month"])
        write("songplays", songplays, ["year", "month"])
        steps["transform_write_s"] = round(time.perf_counter() - started, 3)
        log(f"wrote {rows} to {output} in {steps['transform_write_s']} s")
        return rows, steps
    finally:
        spark.stop()
        stop_jvm()


def stop_jvm() -> None:
    """Ends the driver JVM and waits for it, so that it is this process's child when it exits: GNU time, which the
    benchmark measures peak memory with, counts only descendants that were waited for. The JVM exits when its stdin
    closes; left alone it would outlive this process by a moment and its memory would go unreported."""
    from pyspark import SparkContext

    proc = getattr(SparkContext._gateway, "proc", None)
    if proc is None:
        return
    try:
        SparkContext._gateway.shutdown()
    except Exception:  # noqa: BLE001 - the gateway may already be down; the JVM is what matters
        pass
    if proc.stdin:
        proc.stdin.close()
    try:
        proc.wait(timeout=60)
    except Exception:  # noqa: BLE001
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    main()
