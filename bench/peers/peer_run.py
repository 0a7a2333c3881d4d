"""What both peers share: their command line and the bounds of the month they load."""
from __future__ import annotations

import argparse
import calendar
import os
from dataclasses import dataclass


@dataclass
class PeerRun:
    year: int
    month: int
    source: str
    output: str
    start_ms: int
    end_ms: int


def month_bounds_ms(year: int, month: int) -> tuple[int, int]:
    """The run's month as [start, end) in epoch milliseconds, UTC, as the pipeline bounds it."""
    start = calendar.timegm((year, month, 1, 0, 0, 0)) * 1000
    end = calendar.timegm((year + month // 12, month % 12 + 1, 1, 0, 0, 0)) * 1000
    return start, end


def is_s3(location: str) -> bool:
    return location.startswith("s3://")


def join(location: str, *parts: str) -> str:
    """A path below a folder or an s3:// prefix."""
    if is_s3(location):
        return "/".join([location.rstrip("/"), *parts])
    return os.path.join(location, *parts)


def parse_peer_run(description: str) -> PeerRun:
    """`--input DIR --output DIR --year Y --month M`, with the output folder created; an s3:// location is kept as is."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--month", type=int, required=True)
    args = parser.parse_args()
    if not 1 <= args.month <= 12:
        parser.error("--month must be 1..12")
    output = args.output if is_s3(args.output) else os.path.abspath(args.output)
    if not is_s3(output):
        os.makedirs(output, exist_ok=True)
    source = args.input if is_s3(args.input) else os.path.abspath(args.input)
    start_ms, end_ms = month_bounds_ms(args.year, args.month)
    return PeerRun(args.year, args.month, source, output, start_ms, end_ms)
