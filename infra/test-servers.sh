#!/usr/bin/env bash
# test-servers.sh CMD [ARGS...]
#
# Starts a throw-away Temporal dev server and a MinIO server on free loopback
# ports, exports their coordinates, runs CMD, and tears everything down again
# (servers' whole process groups + temp dir) on exit, Ctrl-C or TERM.
#
#   npm test  ==  bash infra/test-servers.sh jest
#
# If TEMPORAL_ADDRESS (resp. S3_ENDPOINT) is already set, that external server
# is used and no local one is started for it. For an external S3 endpoint the
# caller must also provide AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
#
# Environment knobs:
#   TEST_SERVERS_TIMEOUT   seconds to wait for each server (default 120)
#   TEST_SERVERS_KEEP_LOGS=1  keep the temp dir (server logs) after exit
#
# Exported to CMD:
#   TEMPORAL_ADDRESS, TEMPORAL_UI_URL (local server only), TEMPORAL_CLI_PATH,
#   S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION,
#   SPARKIFY_TEST_SERVERS=1, SPARKIFY_ALLOWED_INPUTS/OUTPUTS=* unless set; PATH is prefixed with a dir holding `temporal`
#   (and `minio` when started locally).
set -euo pipefail

if [[ $# -eq 0 ]]; then
  printf 'usage: %s CMD [ARGS...]\n' "$(basename -- "$0")" >&2
  exit 2
fi

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
ENSURE_TOOL="${SCRIPT_DIR}/tools/ensure-tool.sh"
TIMEOUT="${TEST_SERVERS_TIMEOUT:-120}"

log() { printf '[test-servers] %s\n' "$*" >&2; }
die() { printf '[test-servers] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- cleanup ---
WORK_DIR=""
TEMPORAL_PGID=""
MINIO_PGID=""
CLEANED=0

group_alive() { [[ -n "$1" ]] && kill -0 -- "-$1" 2>/dev/null; }

stop_groups() { # stop_groups PGID... : TERM all at once, KILL stragglers
  local pgid i alive
  for pgid in "$@"; do
    group_alive "$pgid" && kill -TERM -- "-$pgid" 2>/dev/null
  done
  for ((i = 0; i < 150; i++)); do          # up to 15 s for a clean shutdown
    alive=0
    for pgid in "$@"; do group_alive "$pgid" && alive=1; done
    ((alive)) || return 0
    sleep 0.1
  done
  for pgid in "$@"; do
    if group_alive "$pgid"; then
      log "process group ${pgid} did not stop after SIGTERM; sending SIGKILL"
      kill -KILL -- "-$pgid" 2>/dev/null || true
    fi
  done
  for ((i = 0; i < 50; i++)); do
    alive=0
    for pgid in "$@"; do group_alive "$pgid" && alive=1; done
    ((alive)) || return 0
    sleep 0.1
  done
  return 0
}

cleanup() {
  [[ $CLEANED -eq 0 ]] || return 0
  CLEANED=1
  stop_groups "$TEMPORAL_PGID" "$MINIO_PGID"
  if [[ -n "$WORK_DIR" && -d "$WORK_DIR" ]]; then
    if [[ "${TEST_SERVERS_KEEP_LOGS:-0}" == 1 ]]; then
      log "server logs kept in ${WORK_DIR}"
    else
      rm -rf -- "$WORK_DIR"
    fi
  fi
}

on_exit() { local rc=$?; cleanup; exit "$rc"; }
CMD_PID=""
on_signal() { # on_signal SIGNAL EXIT_CODE
  local i
  trap - INT TERM
  log "got SIG$1; stopping the command and the servers"
  if [[ -n "$CMD_PID" ]] && kill -0 "$CMD_PID" 2>/dev/null; then
    # TERM, not INT: bash makes background children ignore SIGINT.
    kill -TERM "$CMD_PID" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do        # give it 10 s to wind down
      kill -0 "$CMD_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$CMD_PID" 2>/dev/null || true
  fi
  cleanup
  exit "$2"
}
trap on_exit EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM

# ---------------------------------------------------------------- helpers ---

# free_ports N: prints N distinct free TCP ports on 127.0.0.1 (one per line).
# All sockets are held open at the same time, so the ports are distinct.
free_ports() {
  local n="$1"
  if command -v node >/dev/null 2>&1; then
    node -e '
      const net = require("net");
      const n = Number(process.argv[1]);
      const servers = [];
      const ports = [];
      const next = () => {
        if (ports.length === n) {
          servers.forEach((s) => s.close());
          process.stdout.write(ports.join("\n") + "\n");
          return;
        }
        const s = net.createServer();
        s.on("error", (e) => { console.error(e.message); process.exit(1); });
        s.listen(0, "127.0.0.1", () => { servers.push(s); ports.push(s.address().port); next(); });
      };
      next();
    ' "$n"
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c '
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print("\n".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()
' "$n"
  else
    die "need node or python3 to pick free ports"
  fi
}

# random_secret: 24 URL-safe random characters.
random_secret() {
  if command -v node >/dev/null 2>&1; then
    node -e 'process.stdout.write(require("crypto").randomBytes(18).toString("base64url"))'
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import secrets; print(secrets.token_urlsafe(18), end="")'
  else
    openssl rand -base64 18 | tr '+/' '-_'
  fi
}

http_ok() { # http_ok URL -> success if 2xx
  if command -v curl >/dev/null 2>&1; then
    curl -sf -o /dev/null --max-time 5 "$1"
  else
    node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(5000) })
      .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"
  fi
}

# elapsed START: seconds (with ms) since START (an $EPOCHREALTIME value).
elapsed() {
  local now="${EPOCHREALTIME/,/.}" then="${1/,/.}"
  awk -v a="$then" -v b="$now" 'BEGIN { printf "%.1f", b - a }'
}

log_tail() { # log_tail NAME FILE
  printf '[test-servers] ---- last 40 lines of %s log (%s) ----\n' "$1" "$2" >&2
  tail -n 40 -- "$2" >&2 2>/dev/null || true
  printf '[test-servers] ---- end of %s log ----\n' "$1" >&2
}

# start_bg LOGFILE CMD...: runs CMD in its own session/process group (so the
# whole tree can be killed with one signal); prints the group id.
start_bg() {
  local logfile="$1"; shift
  # Without job control, a background child is never a group leader, so
  # setsid(1) calls setsid(2) in-process and $! is the new group id.
  setsid "$@" </dev/null >"$logfile" 2>&1 &
  printf '%s\n' "$!"
}

# wait_ready NAME PGID LOGFILE CHECK...: polls CHECK until it succeeds (0), the
# server exits (1: its log is left for the caller), or TIMEOUT seconds pass (exit).
wait_ready() {
  local name="$1" pgid="$2" logfile="$3"; shift 3
  local start=$SECONDS t0="$EPOCHREALTIME"
  while true; do
    if "$@" >/dev/null 2>&1; then
      log "${name} ready after $(elapsed "$t0")s"
      return 0
    fi
    if ! kill -0 -- "-$pgid" 2>/dev/null; then
      log "${name} exited before becoming ready"
      return 1
    fi
    if ((SECONDS - start >= TIMEOUT)); then
      log "${name} not ready after ${TIMEOUT}s"
      log_tail "$name" "$logfile"
      exit 1
    fi
    sleep 0.5
  done
}

# port_taken LOGFILE: the server died because a port we picked was taken
# between picking and binding (the other server may have bound it meanwhile).
port_taken() {
  grep -qiE 'address already in use|port is already in use' -- "$1"
}

# settle NAME PGID LOGFILE CHECK...: waits for the server; on a lost port race
# returns 1 so the caller starts it again on new ports, on any other death exits.
settle() {
  local name="$1" pgid="$2" logfile="$3"
  wait_ready "$@" && return 0
  if port_taken "$logfile"; then
    log "${name} lost a port race; starting it again on other ports"
    return 1
  fi
  log_tail "$name" "$logfile"
  exit 1
}

command -v setsid >/dev/null 2>&1 || die "setsid (util-linux) is required"

# ------------------------------------------------------------------ tools ---
start_all="$EPOCHREALTIME"
TEMPORAL_BIN="$("$ENSURE_TOOL" temporal)" || die "could not get the temporal CLI"

START_TEMPORAL=1
START_MINIO=1
[[ -n "${TEMPORAL_ADDRESS:-}" ]] && START_TEMPORAL=0
[[ -n "${S3_ENDPOINT:-}" ]] && START_MINIO=0

MINIO_BIN=""
if ((START_MINIO)); then
  MINIO_BIN="$("$ENSURE_TOOL" minio)" || die "could not get minio"
fi

WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/sparkify-test-servers.XXXXXX")"

# Put the tools first on PATH without dragging along anything else that sits
# next to them.
mkdir -p "${WORK_DIR}/bin"
ln -s "$TEMPORAL_BIN" "${WORK_DIR}/bin/temporal"
[[ -n "$MINIO_BIN" ]] && ln -s "$MINIO_BIN" "${WORK_DIR}/bin/minio"
export PATH="${WORK_DIR}/bin:${PATH}"

# Each server is started (and, if a port it was given got taken meanwhile,
# started again on fresh ports) in a function; both are launched before
# waiting on either, so their start-up overlaps.
# pick_port_pair VAR1 VAR2: two distinct free loopback ports into the named variables.
pick_port_pair() {
  local ports
  mapfile -t ports < <(free_ports 2)
  ((${#ports[@]} == 2)) || die "could not pick free ports"
  printf -v "$1" '%s' "${ports[0]}"
  printf -v "$2" '%s' "${ports[1]}"
}

start_temporal() {
  pick_port_pair TEMPORAL_PORT TEMPORAL_UI_PORT
  TEMPORAL_LOG="${WORK_DIR}/temporal-${TEMPORAL_PORT}.log"
  rm -f "${WORK_DIR}/temporal.db"
  log "starting temporal dev server on 127.0.0.1:${TEMPORAL_PORT} (UI :${TEMPORAL_UI_PORT})"
  TEMPORAL_PGID="$(start_bg "$TEMPORAL_LOG" "$TEMPORAL_BIN" server start-dev \
    --ip 127.0.0.1 --port "$TEMPORAL_PORT" \
    --ui-ip 127.0.0.1 --ui-port "$TEMPORAL_UI_PORT" \
    --db-filename "${WORK_DIR}/temporal.db" \
    --log-level warn \
    --search-attribute SparkifyYear=Int \
    --search-attribute SparkifyMonth=Int)"
}

start_minio() {
  pick_port_pair MINIO_PORT MINIO_CONSOLE_PORT
  MINIO_LOG="${WORK_DIR}/minio-${MINIO_PORT}.log"
  log "starting minio on 127.0.0.1:${MINIO_PORT} (console :${MINIO_CONSOLE_PORT})"
  # Credentials go through the environment only (never argv, never printed).
  MINIO_PGID="$(MINIO_ROOT_USER="$MINIO_USER" MINIO_ROOT_PASSWORD="$MINIO_PASSWORD" \
    MINIO_UPDATE=off MINIO_BROWSER_LOGIN_ANIMATION=off \
    start_bg "$MINIO_LOG" "$MINIO_BIN" server \
      --address "127.0.0.1:${MINIO_PORT}" \
      --console-address "127.0.0.1:${MINIO_CONSOLE_PORT}" \
      "${WORK_DIR}/minio-data")"
}

temporal_ready() { "$TEMPORAL_BIN" operator cluster health --address "127.0.0.1:${TEMPORAL_PORT}" --command-timeout 5s; }
minio_ready() { http_ok "http://127.0.0.1:${MINIO_PORT}/minio/health/live"; }

# settle_with_retries NAME START_FN READY_FN PGID_VAR LOG_VAR: waits for a
# started server; after a lost port race starts it again (READY_FN reads the
# new ports), up to PORT_ATTEMPTS starts in all.
settle_with_retries() {
  local name="$1" start_fn="$2" ready_fn="$3" pgid_var="$4" log_var="$5" attempt=1
  until settle "$name" "${!pgid_var}" "${!log_var}" "$ready_fn"; do
    ((attempt++ < PORT_ATTEMPTS)) || die "${name} lost the port race ${PORT_ATTEMPTS} times"
    "$start_fn"
  done
}

# Both are started before either is waited for. A lost port race (another
# process, often the other server, bound a port between our pick and its
# bind) is retried on new ports a few times; any other failure is fatal.
PORT_ATTEMPTS=4
if ((START_TEMPORAL)); then
  start_temporal
fi
if ((START_MINIO)); then
  MINIO_USER="sparkify-test"
  MINIO_PASSWORD="$(random_secret)"
  [[ ${#MINIO_PASSWORD} -ge 24 ]] || die "could not generate a MinIO password"
  mkdir -p "${WORK_DIR}/minio-data"
  start_minio
fi

# ------------------------------------------------------------ wait for both --
if ((START_TEMPORAL)); then
  settle_with_retries temporal start_temporal temporal_ready TEMPORAL_PGID TEMPORAL_LOG
  export TEMPORAL_ADDRESS="127.0.0.1:${TEMPORAL_PORT}"
  export TEMPORAL_UI_URL="http://127.0.0.1:${TEMPORAL_UI_PORT}"
else
  log "using external temporal at ${TEMPORAL_ADDRESS} (not starting one)"
  if ! "$TEMPORAL_BIN" operator cluster health --address "$TEMPORAL_ADDRESS" --command-timeout 10s >/dev/null 2>&1; then
    log "warning: 'temporal operator cluster health' failed for ${TEMPORAL_ADDRESS}; continuing anyway"
  fi
fi

if ((START_MINIO)); then
  settle_with_retries minio start_minio minio_ready MINIO_PGID MINIO_LOG
  export S3_ENDPOINT="http://127.0.0.1:${MINIO_PORT}"
  export AWS_ACCESS_KEY_ID="$MINIO_USER"
  export AWS_SECRET_ACCESS_KEY="$MINIO_PASSWORD"
else
  log "using external S3 endpoint ${S3_ENDPOINT} (not starting minio)"
  if [[ -z "${AWS_ACCESS_KEY_ID:-}" || -z "${AWS_SECRET_ACCESS_KEY:-}" ]]; then
    log "warning: S3_ENDPOINT is set but AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not"
  fi
fi

export AWS_REGION="${AWS_REGION:-us-east-1}"
export TEMPORAL_CLI_PATH="$TEMPORAL_BIN"
export SPARKIFY_TEST_SERVERS=1
# Tests and benchmarks name their own buckets and temp folders per run; the test of the allowed roots sets its own.
export SPARKIFY_ALLOWED_INPUTS="${SPARKIFY_ALLOWED_INPUTS:-*}" SPARKIFY_ALLOWED_OUTPUTS="${SPARKIFY_ALLOWED_OUTPUTS:-*}"
log "servers ready in $(elapsed "$start_all")s: TEMPORAL_ADDRESS=${TEMPORAL_ADDRESS} S3_ENDPOINT=${S3_ENDPOINT}"

# ------------------------------------------------------------------- run ---
# The command runs as a background child that we `wait` for, so that a
# SIGTERM/SIGINT sent to this script is handled at once (and forwarded to it)
# instead of after the command finishes. It keeps our stdin (bash would
# otherwise give a background job /dev/null) and stays in our process group,
# so it can still use the terminal.
if { : <&0; } 2>/dev/null; then
  "$@" <&0 &
else
  "$@" </dev/null &
fi
CMD_PID=$!
set +e
wait "$CMD_PID"
rc=$?
set -e
CMD_PID=""
exit "$rc"
