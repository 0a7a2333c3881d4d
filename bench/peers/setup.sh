#!/usr/bin/env bash
# Installs the benchmark's peer systems (DuckDB and PySpark) into <repo>/.tools/bench-venv and prints the venv's
# python on stdout; everything else goes to stderr. Idempotent: when the pinned versions are already installed it
# only checks them (well under a second). Safe to run concurrently: a lock serialises installs.
#
#   PYTHON=python3.11 bash bench/peers/setup.sh      # choose the interpreter the venv is made from
#   BENCH_VENV=/some/dir bash bench/peers/setup.sh   # put the venv elsewhere
set -euo pipefail

DUCKDB_VERSION=1.5.6    # the version of @duckdb/node-api the tests read Parquet with
PYSPARK_VERSION=3.5.8   # Spark 3.5 LTS line: runs on Java 8/11/17 and Python 3.8-3.12; brings py4j 0.10.9.7

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${BENCH_VENV:-$root/.tools/bench-venv}"
python="$venv/bin/python"

log() { echo "[bench-peers] $*" >&2; }

installed() {
  [ -x "$python" ] && "$python" - "$DUCKDB_VERSION" "$PYSPARK_VERSION" >/dev/null 2>&1 <<'EOF'
import sys
from importlib.metadata import version
sys.exit(0 if (version("duckdb"), version("pyspark")) == (sys.argv[1], sys.argv[2]) else 1)
EOF
}

if installed; then
  log "duckdb $DUCKDB_VERSION and pyspark $PYSPARK_VERSION already in $venv"
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
  if ! command -v java >/dev/null 2>&1 && [ -z "${JAVA_HOME:-}" ]; then
    log "warning: no java on PATH and no JAVA_HOME; PySpark needs Java 8, 11 or 17"
  fi
  started=$(date +%s)
  if [ ! -x "$python" ] || ! "$python" -m pip --version >/dev/null 2>&1; then
    log "creating $venv from $(command -v "$base") ($("$base" --version 2>&1))"
    rm -rf "$venv"
    "$base" -m venv "$venv"
  fi
  log "installing duckdb==$DUCKDB_VERSION pyspark==$PYSPARK_VERSION (PySpark is ~300 MB; a few minutes the first time)"
  "$python" -m pip install --disable-pip-version-check --no-input --quiet \
    "duckdb==$DUCKDB_VERSION" "pyspark==$PYSPARK_VERSION" >&2
  installed || { log "install finished but the pinned versions are not importable from $python"; exit 1; }
  log "installed in $(( $(date +%s) - started )) s"
fi
flock -u 9
echo "$python"
