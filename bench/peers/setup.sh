#!/usr/bin/env bash
# Installs a benchmark peer's Python packages into a venv under <repo>/.tools and prints the venv's python on stdout;
# everything else goes to stderr. Idempotent: when the pinned versions are already installed it only checks them
# (well under a second). Safe to run concurrently: a lock serialises installs.
#
#   bash bench/peers/setup.sh             # duckdb and pyspark peers: DuckDB 1.5.6 and PySpark 3.5.8 in .tools/bench-venv
#   bash bench/peers/setup.sh duckdb-s3   # duckdb-s3 peer: DuckDB 1.4.4 and its httpfs extension in .tools/bench-venv-duckdb-s3
#   PYTHON=python3.11 bash bench/peers/setup.sh      # choose the interpreter the venv is made from
#   BENCH_VENV=/some/dir bash bench/peers/setup.sh   # put the venv elsewhere
#
# DuckDB downloads its extensions at run time, which this machine cannot; PyPI's duckdb-ext-httpfs ships httpfs
# for DuckDB 1.4.4 as a file, which the duckdb-s3 peer loads from the venv. The local peer stays on the fastest
# DuckDB for this job (1.5.6: 2.0.0 had written 32,572 of 48,658 songs files of the medium set after ten minutes).
set -euo pipefail

DUCKDB_VERSION=1.5.6          # the version of @duckdb/node-api the tests read Parquet with
PYSPARK_VERSION=3.5.8         # Spark 3.5 LTS line: runs on Java 8/11/17 and Python 3.8-3.12; brings py4j 0.10.9.7
DUCKDB_S3_VERSION=1.4.4       # the newest DuckDB whose httpfs extension is on PyPI
HTTPFS_EXT_VERSION=1.4.4.20260205

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
case "${1:-}" in
  '')
    venv="${BENCH_VENV:-$root/.tools/bench-venv}"
    packages=("duckdb==$DUCKDB_VERSION" "pyspark==$PYSPARK_VERSION")
    ;;
  duckdb-s3)
    venv="${BENCH_VENV:-$root/.tools/bench-venv-duckdb-s3}"
    packages=("duckdb==$DUCKDB_S3_VERSION" "duckdb-ext-httpfs==$HTTPFS_EXT_VERSION")
    ;;
  *) echo "usage: $0 [duckdb-s3]" >&2; exit 2 ;;
esac
python="$venv/bin/python"

log() { echo "[bench-peers] $*" >&2; }

installed() {
  [ -x "$python" ] && "$python" - "${packages[@]}" >/dev/null 2>&1 <<'PY'
import sys
from importlib.metadata import version
sys.exit(0 if all(version(name) == wanted for name, wanted in (p.split("==") for p in sys.argv[1:])) else 1)
PY
}

if installed; then
  log "${packages[*]} already in $venv"
  echo "$python"
  exit 0
fi

mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
# Another run may have finished the install while this one waited for the lock.
if ! installed; then
  base="${PYTHON:-}"
  if [ -z "$base" ]; then
    for candidate in python3.11 python3.12 python3.10 python3; do
      if command -v "$candidate" >/dev/null 2>&1; then base="$candidate"; break; fi
    done
  fi
  [ -n "$base" ] || { log "no python3 found (set PYTHON)"; exit 1; }
  if [[ " ${packages[*]} " == *" pyspark=="* ]] && ! command -v java >/dev/null 2>&1 && [ -z "${JAVA_HOME:-}" ]; then
    log "warning: no java on PATH and no JAVA_HOME; PySpark needs Java 8, 11 or 17"
  fi
  started=$(date +%s)
  if [ ! -x "$python" ] || ! "$python" -m pip --version >/dev/null 2>&1; then
    log "creating $venv from $(command -v "$base") ($("$base" --version 2>&1))"
    rm -rf "$venv"
    "$base" -m venv "$venv"
  fi
  log "installing ${packages[*]} (PySpark is ~300 MB; a few minutes the first time)"
  "$python" -m pip install --disable-pip-version-check --no-input --quiet "${packages[@]}" >&2
  installed || { log "install finished but ${packages[*]} are not importable from $python"; exit 1; }
  log "installed in $(( $(date +%s) - started )) s"
fi
flock -u 9
echo "$python"
