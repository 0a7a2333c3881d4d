#!/usr/bin/env bash
# ensure-tool.sh NAME
#
# Prints on stdout the absolute path of a working binary for NAME; all
# diagnostics go to stderr. Search order: $OVERRIDE, NAME on PATH,
# <repo>/.tools/bin/NAME, else `go install` the pinned module into
# <repo>/.tools/bin.
#   temporal           $TEMPORAL_CLI_PATH        Temporal CLI (its dev server: the tests)
#   minio              $MINIO_PATH               MinIO server
#   temporal-server    $TEMPORAL_SERVER_PATH     Temporal server, same version as the CLI's dev server (infra/cluster.sh)
#   temporal-sql-tool  $TEMPORAL_SQL_TOOL_PATH   its schema tool (built with it)
#   temporal-ui-server $TEMPORAL_UI_SERVER_PATH  Temporal Web UI server, same version as the CLI's
#   mc                 $MC_PATH                  MinIO client, for users and policies (infra/cluster.sh)
set -euo pipefail

# Pinned versions. Temporal CLI: tags after v1.5.1 carry a `replace` directive
# in go.mod, which `go install pkg@version` refuses.
TEMPORAL_CLI_MODULE="github.com/temporalio/cli/cmd/temporal"
TEMPORAL_CLI_VERSION="v1.5.1"
MINIO_MODULE="github.com/minio/minio"
MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"
# The server the CLI above embeds (`temporal --version`: Server 1.29.1); its
# go.mod has no replace directive, so `go install` takes it as it is.
TEMPORAL_SERVER_VERSION="v1.29.1"
# The UI the CLI above embeds (UI 2.42.1).
TEMPORAL_UI_SERVER_MODULE="github.com/temporalio/ui-server/v2/cmd/server"
TEMPORAL_UI_SERVER_VERSION="v2.42.1"
# The mc that the MinIO above requires in its go.mod, so its modules are mostly
# in the cache already.
MC_MODULE="github.com/minio/mc"
MC_VERSION="v0.0.0-20250313080218-cf909e1063a9"

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "${SCRIPT_DIR}/../.." && pwd -P)"
TOOLS_BIN="${REPO_ROOT}/.tools/bin"

log() { printf '[ensure-tool] %s\n' "$*" >&2; }
die() { printf '[ensure-tool] ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
  printf 'usage: %s temporal|minio|temporal-server|temporal-sql-tool|temporal-ui-server|mc\n' "$(basename -- "$0")" >&2
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
  temporal-server | temporal-sql-tool)
    # One build gives both: the packages share almost everything. go install
    # names them after their folders (server, sql); they are renamed below.
    [[ "$NAME" == temporal-server ]] && OVERRIDE_VAR="TEMPORAL_SERVER_PATH" || OVERRIDE_VAR="TEMPORAL_SQL_TOOL_PATH"
    MODULE="go.temporal.io/server/cmd/server go.temporal.io/server/cmd/tools/sql"
    VERSION="$TEMPORAL_SERVER_VERSION"
    RENAMES=("server:temporal-server" "sql:temporal-sql-tool")
    ;;
  temporal-ui-server)
    OVERRIDE_VAR="TEMPORAL_UI_SERVER_PATH"
    MODULE="$TEMPORAL_UI_SERVER_MODULE"
    VERSION="$TEMPORAL_UI_SERVER_VERSION"
    RENAMES=("server:temporal-ui-server")
    ;;
  mc)
    OVERRIDE_VAR="MC_PATH"
    MODULE="$MC_MODULE"
    VERSION="$MC_VERSION"
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
    temporal-server | temporal-sql-tool | temporal-ui-server) "$p" --help >/dev/null 2>&1 ;;
    # Not Midnight Commander, which is also `mc`. (Captured first: grep -q closing the pipe early fails it under pipefail.)
    mc)       local v; v="$("$p" --version 2>/dev/null)" && [[ "${v,,}" == *minio* ]] ;;
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
if [[ -z "${RENAMES+x}" ]]; then
  if ! GOBIN="$TOOLS_BIN" GOFLAGS=-mod=mod go install "${MODULE}@${VERSION}" >&2; then
    die "go install ${MODULE}@${VERSION} failed"
  fi
else
  # Into a folder of its own, then renamed: a bare `server` or `sql` in .tools/bin would say nothing.
  staging="$(mktemp -d "${TOOLS_BIN}/.build-XXXXXX")"
  trap 'rm -rf -- "$staging"' EXIT
  read -r -a packages <<<"$MODULE"
  for ((i = 0; i < ${#packages[@]}; i++)); do [[ "${packages[$i]}" == *@* ]] || packages[$i]+="@${VERSION}"; done
  if ! GOBIN="$staging" GOFLAGS=-mod=mod go install "${packages[@]}" >&2; then
    die "go install ${packages[*]} failed"
  fi
  for rename in "${RENAMES[@]}"; do mv -f -- "${staging}/${rename%%:*}" "${TOOLS_BIN}/${rename#*:}"; done
fi
log "built ${NAME} in $((SECONDS - start))s"

p="$(abs_exe "${TOOLS_BIN}/${NAME}")" || die "go install succeeded but ${TOOLS_BIN}/${NAME} is missing"
works "$p" || die "${TOOLS_BIN}/${NAME} was built but does not run"
found "$p" "built"
