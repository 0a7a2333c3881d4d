#!/usr/bin/env bash
# ensure-tool.sh NAME   (NAME = temporal | minio)
#
# Prints on stdout the absolute path of a working binary for NAME; all
# diagnostics go to stderr. Search order:
#   temporal: $TEMPORAL_CLI_PATH, `temporal` on PATH, <repo>/.tools/bin/temporal,
#             else `go install` the pinned Temporal CLI into <repo>/.tools/bin
#   minio:    $MINIO_PATH, `minio` on PATH, <repo>/.tools/bin/minio,
#             else `go install` the pinned MinIO server into <repo>/.tools/bin
set -euo pipefail

# Pinned versions. Temporal CLI: tags after v1.5.1 carry a `replace` directive
# in go.mod, which `go install pkg@version` refuses.
TEMPORAL_CLI_MODULE="github.com/temporalio/cli/cmd/temporal"
TEMPORAL_CLI_VERSION="v1.5.1"
MINIO_MODULE="github.com/minio/minio"
MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "${SCRIPT_DIR}/../.." && pwd -P)"
TOOLS_BIN="${REPO_ROOT}/.tools/bin"

log() { printf '[ensure-tool] %s\n' "$*" >&2; }
die() { printf '[ensure-tool] ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
  printf 'usage: %s temporal|minio\n' "$(basename -- "$0")" >&2
  exit 2
}

[[ $# -eq 1 ]] || usage
NAME="$1"

case "$NAME" in
  temporal)
    OVERRIDE_VAR="TEMPORAL_CLI_PATH"
    MODULE="$TEMPORAL_CLI_MODULE"
    VERSION="$TEMPORAL_CLI_VERSION"
    ;;
  minio)
    OVERRIDE_VAR="MINIO_PATH"
    MODULE="$MINIO_MODULE"
    VERSION="$MINIO_VERSION"
    ;;
  *) usage ;;
esac

# Absolute path of an executable file, or failure.
abs_exe() {
  local p="$1"
  [[ -n "$p" && -f "$p" && -x "$p" ]] || return 1
  local dir
  dir="$(cd -- "$(dirname -- "$p")" && pwd -P)" || return 1
  printf '%s/%s\n' "$dir" "$(basename -- "$p")"
}

# A binary "works" if it runs its --version / --help without failing.
works() {
  local p="$1"
  case "$NAME" in
    temporal) "$p" --version >/dev/null 2>&1 || "$p" --help >/dev/null 2>&1 ;;
    minio)    "$p" --version >/dev/null 2>&1 ;;
  esac
}

found() {
  log "using ${NAME}: $1 ($2)"
  printf '%s\n' "$1"
  exit 0
}

# 1. Explicit override.
override="${!OVERRIDE_VAR:-}"
if [[ -n "$override" ]]; then
  if p="$(abs_exe "$override")" && works "$p"; then
    found "$p" "\$${OVERRIDE_VAR}"
  fi
  die "\$${OVERRIDE_VAR} is set to '${override}' but that is not a working ${NAME} executable"
fi

# 2. On PATH.
if p="$(command -v "$NAME" 2>/dev/null)" && p="$(abs_exe "$p")" && works "$p"; then
  found "$p" "PATH"
fi

# 3. Project-local tools folder.
if p="$(abs_exe "${TOOLS_BIN}/${NAME}")" && works "$p"; then
  found "$p" "project .tools"
fi

# 4. Build it with Go.
command -v go >/dev/null 2>&1 || die "${NAME} not found (checked \$${OVERRIDE_VAR}, PATH, ${TOOLS_BIN}) and Go is not installed to build it.
  Install Go (https://go.dev/dl/) or install ${NAME} yourself and set \$${OVERRIDE_VAR}."

mkdir -p "$TOOLS_BIN"
log "${NAME} not found; building ${MODULE}@${VERSION} into ${TOOLS_BIN}"
log "note: this takes several minutes the first time (later runs reuse the binary)"
start=$SECONDS
if ! GOBIN="$TOOLS_BIN" GOFLAGS=-mod=mod go install "${MODULE}@${VERSION}" >&2; then
  die "go install ${MODULE}@${VERSION} failed"
fi
log "built ${NAME} in $((SECONDS - start))s"

p="$(abs_exe "${TOOLS_BIN}/${NAME}")" || die "go install succeeded but ${TOOLS_BIN}/${NAME} is missing"
works "$p" || die "${TOOLS_BIN}/${NAME} was built but does not run"
found "$p" "built"
