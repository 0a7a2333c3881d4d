#!/usr/bin/env bash
# infra/cluster.sh up | down | status | env | exec HOST CMD... | load DIR
#
# A three-host Sparkify cluster on this machine, without Docker: four Linux
# network namespaces on a private bridge, each host with its own working
# folder and TMPDIR.
#
#   services  PostgreSQL 15 (a throw-away cluster), the Temporal server on it
#             (frontend with mutual TLS), the Temporal Web UI, MinIO
#   node1..3  one `sparkify worker` each, its identity naming its host
#
#   up             starts it all (needs root and iproute2); on a failure it
#                  removes what it made
#   down           stops every process by its recorded process group, then
#                  removes the namespaces, links, bridge and folder
#   status         what is up
#   env            `export NAME=value` lines for this machine (the host side of
#                  the bridge): eval "$(bash infra/cluster.sh env)", then
#                  `npx sparkify run --year 2018 --month 11`, `temporal workflow list`
#   exec HOST CMD  runs CMD inside HOST's namespace, in its folder, with its
#                  environment (a node's is its worker's)
#   load DIR       copies DIR (song_data/, log_data/) into s3://sparkify-input/
#   certs DIR      makes a CA and the same certificates in DIR, for the compose
#                  stack (infra/docker-compose.yml), without starting anything
#   stop NAME [--kill] | start NAME | restart NAME [--kill]
#                  one process: postgres, temporal, ui, minio, worker-node1..3
#                  (stop: SIGTERM, a worker drains; --kill: SIGKILL)
#   link HOST down|up  pulls or plugs back HOST's network link
#   netem HOST ARGS... | netem HOST clear
#                  tc netem on HOST's link (what it sends), e.g. `delay 100ms`
#                  or `loss 100%`; clear takes it off. Needs a kernel with
#                  sch_netem (CONFIG_NET_SCH_NETEM); says so when it has none
#   delay HOST MS | delay HOST off
#                  where the kernel has no netem: HOST's worker reaches Temporal
#                  and MinIO through relays in its namespace that hold every
#                  chunk MS each way (dist/bench/chaos/delay-relay.js); the
#                  worker drains and starts again on the relays' addresses
#
# Settings (environment):
#   SPARKIFY_CLUSTER_DIR     state, certificates, secrets, logs (default <repo>/.cluster)
#   SPARKIFY_CLUSTER_NAME    prefix of namespaces and links, up to 8 characters (default spk)
#   SPARKIFY_CLUSTER_SUBNET  first three octets of its private /24 (default 10.213.0)
#   SPARKIFY_CLUSTER_UI=0    no Web UI (saves building temporal-ui-server)
#   SPARKIFY_CLUSTER_TIMEOUT seconds to wait for each server (default 120)
#
# Secrets (PostgreSQL's password, MinIO's root and worker keys, private keys)
# are made at `up`, kept in files readable by root only, and passed on no
# command line but one (`mc admin user add` takes the workers' MinIO key for a
# moment), so `ps` shows none of the others. `env` prints the workers' MinIO key
# (not root's): that is what it is for.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "${SCRIPT_DIR}/.." && pwd -P)"
DIR="${SPARKIFY_CLUSTER_DIR:-${REPO_ROOT}/.cluster}"
NAME="${SPARKIFY_CLUSTER_NAME:-spk}"
SUBNET="${SPARKIFY_CLUSTER_SUBNET:-10.213.0}"
# A cluster made already answers to the name and subnet it was made with, whatever this shell says: `env` must never
# print an address outside the bridge, where traffic would leave this machine.
if [[ -f "${DIR}/state/cluster" ]]; then
  NAME="$(sed -n 's/^NAME=//p' "${DIR}/state/cluster")"
  SUBNET="$(sed -n 's/^SUBNET=//p' "${DIR}/state/cluster")"
fi
TIMEOUT="${SPARKIFY_CLUSTER_TIMEOUT:-120}"
HOSTS=(services node1 node2 node3)
BRIDGE="${NAME}-br"
GATEWAY="${SUBNET}.1"
SERVICES_IP="${SUBNET}.2"
FRONTEND_NAME="frontend.sparkify.test"
TEMPORAL_PORT=7233
UI_PORT=8080
MINIO_PORT=9000
PG_PORT=5432
INPUT_BUCKET=sparkify-input
LAKE_BUCKET=sparkify-lake
# A bucket the workers' MinIO user must not reach (the tests check it cannot).
OTHER_BUCKET=sparkify-other
TASK_QUEUE=sparkify-etl
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { printf '[cluster] ERROR: %s\n' "$*" >&2; exit 1; }

[[ "$NAME" =~ ^[a-z][a-z0-9]{0,7}$ ]] || die "SPARKIFY_CLUSTER_NAME must be 1 to 8 lower-case letters and digits (link names are at most 15 characters)"
[[ "$SUBNET" =~ ^(10|192\.168|172\.(1[6-9]|2[0-9]|3[01]))\.[0-9]{1,3}(\.[0-9]{1,3})?$ ]] || die "SPARKIFY_CLUSTER_SUBNET must be the first three octets of a private range, e.g. 10.213.0"

ns_of() { printf '%s-%s' "$NAME" "$1"; }
ip_of() {
  case "$1" in
    services) printf '%s' "$SERVICES_IP" ;;
    node[1-9]) printf '%s.%d' "$SUBNET" $((10 + ${1#node})) ;;
    *) die "unknown host '$1' (hosts: ${HOSTS[*]})" ;;
  esac
}
# iproute2 keeps a named namespace as a file here (no `ip netns list | grep -q`: under pipefail, grep closing the
# pipe early can fail the test).
ns_exists() { [[ -e "/run/netns/$1" ]]; }
host_dir() { printf '%s/hosts/%s' "$DIR" "$1"; }
# The bridge's end of a host's link: a link name is at most 15 characters, so services is s and nodeN is nN.
veth_of() { [[ "$1" == services ]] && printf '%s-s' "$NAME" || printf '%s-n%s' "$NAME" "${1#node}"; }

# ------------------------------------------------------------ processes ---
# Every process is started with setsid in its host's namespace; its group id
# is recorded in state/pids/NAME, and `down` signals those groups only.

start_proc() { # start_proc HOST NAME ENVFILE CMD... : runs CMD in HOST's namespace and folder with ENVFILE's variables
  local host="$1" name="$2" envfile="$3"; shift 3
  local dir logfile
  dir="$(host_dir "$host")"
  logfile="${DIR}/logs/${name}.log"
  # env -i: a host gets only the variables its env file names (plus PATH), not this shell's secrets.
  (cd "$dir" && exec ip netns exec "$(ns_of "$host")" setsid env -i PATH="$PATH" HOME="$dir" TMPDIR="$dir/tmp" \
    bash -c 'set -a; . "$1"; set +a; shift; exec "$@"' _ "$envfile" "$@" </dev/null >>"$logfile" 2>&1) &
  local pid=$!
  printf '%s\n' "$pid" >"${DIR}/state/pids/${name}"
  # setsid runs in the child a moment after the fork (later still on a busy machine): until then the group does not
  # exist and the process would look dead to group_alive. Wait for the group, or for the child to die first.
  while ! group_alive "$pid" && kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}

group_alive() { [[ -n "$1" ]] && kill -0 -- "-$1" 2>/dev/null; }

stop_proc() { # stop_proc NAME [SECONDS]: TERM its group, KILL it after SECONDS (default 15)
  local file="${DIR}/state/pids/$1" pgid i signal=TERM
  [[ -f "$file" ]] || return 0
  pgid="$(<"$file")"
  # PostgreSQL's SIGTERM waits for every client to leave, and Temporal never leaves: SIGINT is its fast shutdown.
  [[ "$1" != postgres ]] || signal=INT
  if group_alive "$pgid"; then
    kill "-$signal" -- "-$pgid" 2>/dev/null || true
    for ((i = 0; i < ${2:-15} * 10; i++)); do group_alive "$pgid" || break; sleep 0.1; done
    if group_alive "$pgid"; then
      log "$1 (process group $pgid) did not stop on SIG${signal}; sending SIGKILL"
      kill -KILL -- "-$pgid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do group_alive "$pgid" || break; sleep 0.1; done
    fi
  fi
  rm -f -- "$file"
}

wait_for() { # wait_for WHAT PROC CMD...: polls CMD until it succeeds; fails early if PROC's group died
  local what="$1" proc="$2" start=$SECONDS pgid; shift 2
  pgid="$(<"${DIR}/state/pids/${proc}")"
  until "$@" >/dev/null 2>&1; do
    if ! group_alive "$pgid"; then
      tail -n 30 "${DIR}/logs/${proc}.log" >&2 || true
      die "${what}: ${proc} exited (log: ${DIR}/logs/${proc}.log)"
    fi
    if ((SECONDS - start > TIMEOUT)); then
      tail -n 30 "${DIR}/logs/${proc}.log" >&2 || true
      die "${what}: not ready after ${TIMEOUT}s (log: ${DIR}/logs/${proc}.log)"
    fi
    sleep 0.5
  done
  log "${what}: ready after $((SECONDS - start))s"
}

secret() { openssl rand -hex 20; }

# --------------------------------------------------------------- network ---

net_up() {
  ip link add "$BRIDGE" type bridge
  echo "$BRIDGE" >>"${DIR}/state/links"
  ip addr add "${GATEWAY}/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  local host ns veth
  for host in "${HOSTS[@]}"; do
    ns="$(ns_of "$host")"
    veth="$(veth_of "$host")"
    ip netns add "$ns"
    echo "$ns" >>"${DIR}/state/netns"
    ip link add "$veth" type veth peer name eth0 netns "$ns"
    echo "$veth" >>"${DIR}/state/links"
    ip link set "$veth" master "$BRIDGE" up
    ip -n "$ns" addr add "$(ip_of "$host")/24" dev eth0
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
    # No default route: a host reaches the other hosts and this machine's end of the bridge, nothing else.
  done
  log "network: bridge ${BRIDGE} ${GATEWAY}/24; $(for h in "${HOSTS[@]}"; do printf '%s %s  ' "$h" "$(ip_of "$h")"; done)"
}

# ---------------------------------------------------------- certificates ---

make_certs() { # make_certs [DIR]: default the cluster's certs folder
  local c="${1:-${DIR}/certs}" name
  mkdir -p "$c"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=Sparkify cluster CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$c/ca.key" -out "$c/ca.pem" 2>/dev/null
  leaf() { # leaf NAME EXTENSIONS
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" -keyout "$c/$1.key" -out "$c/$1.csr" 2>/dev/null
    printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" "$2" >"$c/$1.ext"
    openssl x509 -req -in "$c/$1.csr" -CA "$c/ca.pem" -CAkey "$c/ca.key" -CAcreateserial -days 30 -extfile "$c/$1.ext" -out "$c/$1.pem" 2>/dev/null
    rm -f -- "$c/$1.csr" "$c/$1.ext"
  }
  # clientAuth too, and the name `temporal`: the compose stack's server uses this one certificate between its own
  # services as well (internode TLS, where each side shows it).
  leaf frontend "extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:${FRONTEND_NAME},DNS:temporal,IP:${SERVICES_IP}"
  # One client certificate per host, and one for this machine (`env`).
  for name in "${HOSTS[@]}" local; do leaf "$name" "extendedKeyUsage=clientAuth"; done
  chmod 600 "$c"/*.key
  log "certificates: CA, ${FRONTEND_NAME}, client certificates for ${HOSTS[*]} and local"
}

# ------------------------------------------------------------ PostgreSQL ---

start_postgres() {
  local d; d="$(host_dir services)/postgres"
  mkdir -p "$d/data" "$d/run"
  secret >"${DIR}/secrets/postgres"
  # PostgreSQL refuses to run as root: its files and process belong to the postgres user.
  install -m 600 -o postgres "${DIR}/secrets/postgres" "$d/pwfile"
  chown -R postgres: "$d"
  chmod 700 "$d/data"
  # The postgres user must reach its folder: the folders above it may be root's 0700 (a mktemp -d); these are ours.
  chmod 755 "$DIR" "${DIR}/hosts" "$(host_dir services)"
  setpriv --reuid postgres --regid postgres --init-groups test -w "$d" \
    || die "the postgres user cannot reach ${d}: a folder above ${DIR} is closed to it (set SPARKIFY_CLUSTER_DIR elsewhere)"
  setpriv --reuid postgres --regid postgres --init-groups "${PG_BIN}/initdb" -D "$d/data" -U temporal --pwfile="$d/pwfile" \
    --auth-local=peer --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"${DIR}/logs/initdb.log" 2>&1 \
    || { tail -n 20 "${DIR}/logs/initdb.log" >&2; die "initdb failed"; }
  rm -f -- "$d/pwfile"
  printf 'host all temporal %s.0/24 scram-sha-256\n' "$SUBNET" >>"$d/data/pg_hba.conf"
  : >"${DIR}/state/postgres.env"
  run_postgres
}

run_postgres() {
  local d; d="$(host_dir services)/postgres"
  start_proc services postgres "${DIR}/state/postgres.env" setpriv --reuid postgres --regid postgres --init-groups \
    "${PG_BIN}/postgres" -D "$d/data" -c "listen_addresses=${SERVICES_IP}" -c "port=${PG_PORT}" -c "unix_socket_directories=$d/run" \
    -c synchronous_commit=off -c max_connections=200
  wait_for "PostgreSQL on ${SERVICES_IP}:${PG_PORT}" postgres "${PG_BIN}/pg_isready" -h "$SERVICES_IP" -p "$PG_PORT" -q
}

# -------------------------------------------------------------- Temporal ---

sql_tool() { # sql_tool ARGS...: the schema tool against the services' PostgreSQL, its password from the environment
  SQL_PASSWORD="$(<"${DIR}/secrets/postgres")" "$SQL_TOOL" --plugin postgres12 --endpoint "$SERVICES_IP" --port "$PG_PORT" --user temporal "$@" \
    >>"${DIR}/logs/schema.log" 2>&1 || { tail -n 20 "${DIR}/logs/schema.log" >&2; die "temporal-sql-tool $* failed"; }
}

setup_schema() {
  local db
  for db in temporal temporal_visibility; do
    sql_tool --database "$db" create-database
  done
  sql_tool --database temporal setup-schema -v 0.0
  sql_tool --database temporal update-schema --schema-name postgresql/v12/temporal
  sql_tool --database temporal_visibility setup-schema -v 0.0
  sql_tool --database temporal_visibility update-schema --schema-name postgresql/v12/visibility
  log "schema: temporal and temporal_visibility at the server's version"
}

write_temporal_config() {
  local d c="${DIR}/certs" pw
  d="$(host_dir services)/temporal"
  mkdir -p "$d/config/dynamicconfig"
  pw="$(<"${DIR}/secrets/postgres")"
  # The file holds the database password: root only.
  (umask 077 && cat >"$d/config/development.yaml" <<EOF
log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 4
  datastores:
    default:
      sql:
        pluginName: postgres12
        databaseName: temporal
        connectAddr: "${SERVICES_IP}:${PG_PORT}"
        connectProtocol: tcp
        user: temporal
        password: "${pw}"
        maxConns: 20
        maxIdleConns: 20
        maxConnLifetime: 1h
    visibility:
      sql:
        pluginName: postgres12
        databaseName: temporal_visibility
        connectAddr: "${SERVICES_IP}:${PG_PORT}"
        connectProtocol: tcp
        user: temporal
        password: "${pw}"
        maxConns: 4
        maxIdleConns: 4
        maxConnLifetime: 1h
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "${SERVICES_IP}"
  tls:
    # Mutual TLS on the frontend: a client without a certificate signed by the cluster's CA is refused in the
    # handshake. Between the server's own services (membership and internode ports on the services host) no TLS.
    frontend:
      server:
        certFile: ${c}/frontend.pem
        keyFile: ${c}/frontend.key
        requireClientAuth: true
        clientCaFiles: [${c}/ca.pem]
      client:
        serverName: ${FRONTEND_NAME}
        rootCaFiles: [${c}/ca.pem]
    # The server's system workers reach the frontend as any client does, with the services host's certificate.
    systemWorker:
      certFile: ${c}/services.pem
      keyFile: ${c}/services.key
      client:
        serverName: ${FRONTEND_NAME}
        rootCaFiles: [${c}/ca.pem]
services:
  frontend:
    rpc: { grpcPort: ${TEMPORAL_PORT}, membershipPort: 6933, bindOnIP: "${SERVICES_IP}", httpPort: 7243 }
  matching:
    rpc: { grpcPort: 7235, membershipPort: 6935, bindOnIP: "${SERVICES_IP}" }
  history:
    rpc: { grpcPort: 7234, membershipPort: 6934, bindOnIP: "${SERVICES_IP}" }
  worker:
    rpc: { grpcPort: 7239, membershipPort: 6939, bindOnIP: "${SERVICES_IP}" }
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "${SERVICES_IP}:${TEMPORAL_PORT}"
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: "${d}/config/dynamicconfig/cluster.yaml"
  pollInterval: 10s
EOF
  )
  # Worker versioning (deployments) for `[WORKER] DEPLOYMENT_NAME`/`BUILD_ID`; the dev server turns the same on.
  cat >"$d/config/dynamicconfig/cluster.yaml" <<'EOF'
system.enableDeploymentVersions:
  - value: true
frontend.workerVersioningWorkflowAPIs:
  - value: true
EOF
}

run_temporal() {
  local d; d="$(host_dir services)/temporal"
  start_proc services temporal "${DIR}/state/temporal.env" "$TEMPORAL_SERVER" --root "$d" --config config --env development --allow-no-auth start
  wait_for "Temporal frontend on ${SERVICES_IP}:${TEMPORAL_PORT} (mutual TLS)" temporal temporal_cli operator cluster health
}

# The Temporal CLI as this machine's operator, through the bridge (mutual TLS with the `local` certificate).
temporal_cli() {
  local c="${DIR}/certs"
  "$TEMPORAL_CLI" "$@" --address "${SERVICES_IP}:${TEMPORAL_PORT}" --tls-ca-path "$c/ca.pem" --tls-cert-path "$c/local.pem" \
    --tls-key-path "$c/local.key" --tls-server-name "$FRONTEND_NAME"
}

start_temporal() {
  write_temporal_config
  : >"${DIR}/state/temporal.env"
  run_temporal
  local i
  for ((i = 0; i < 60; i++)); do
    temporal_cli operator namespace describe --namespace default >/dev/null 2>&1 && break
    temporal_cli operator namespace create --namespace default --retention 72h >/dev/null 2>&1 || true
    sleep 1
  done
  # The namespace cache refreshes every few seconds: until then attribute creation says the namespace is unknown.
  for ((i = 0; i < 60; i++)); do
    if temporal_cli operator search-attribute create --namespace default --name SparkifyYear --type Int --name SparkifyMonth --type Int >/dev/null 2>&1; then
      log "Temporal: namespace default, search attributes SparkifyYear and SparkifyMonth (Int)"
      return 0
    fi
    sleep 1
  done
  die "could not register the search attributes in namespace default"
}

start_ui() {
  local d c="${DIR}/certs"
  d="$(host_dir services)/ui"
  mkdir -p "$d/config"
  cat >"$d/config/development.yaml" <<EOF
temporalGrpcAddress: ${SERVICES_IP}:${TEMPORAL_PORT}
host: ${SERVICES_IP}
port: ${UI_PORT}
enableUi: true
defaultNamespace: default
notifyOnNewVersion: false
cors:
  allowOrigins: ["http://${SERVICES_IP}:${UI_PORT}"]
tls:
  caFile: ${c}/ca.pem
  certFile: ${c}/services.pem
  keyFile: ${c}/services.key
  serverName: ${FRONTEND_NAME}
  enableHostVerification: true
EOF
  : >"${DIR}/state/ui.env"
  run_ui
}

run_ui() {
  local d; d="$(host_dir services)/ui"
  start_proc services ui "${DIR}/state/ui.env" "$UI_SERVER" --root "$d" --config config --env development start
  wait_for "Web UI on http://${SERVICES_IP}:${UI_PORT}" ui curl -sf -o /dev/null --max-time 3 "http://${SERVICES_IP}:${UI_PORT}/"
}

# ----------------------------------------------------------------- MinIO ---

run_minio() {
  local d; d="$(host_dir services)/minio"
  start_proc services minio "${DIR}/state/minio.env" "$MINIO" server --address "${SERVICES_IP}:${MINIO_PORT}" --quiet "$d/data"
  wait_for "MinIO on http://${SERVICES_IP}:${MINIO_PORT}" minio curl -sf -o /dev/null --max-time 3 "http://${SERVICES_IP}:${MINIO_PORT}/minio/health/live"
}

# mc against the services' MinIO as root; the credentials go in MC_HOST_root (the environment), not on the command line.
mc_root() {
  MC_HOST_root="http://$(<"${DIR}/secrets/minio-root-user"):$(<"${DIR}/secrets/minio-root-password")@${SERVICES_IP}:${MINIO_PORT}" \
    MC_CONFIG_DIR="${DIR}/state/mc" "$MC" --quiet --no-color "$@"
}

start_minio() {
  local d; d="$(host_dir services)/minio"
  mkdir -p "$d/data"
  printf 'sparkify-root-%s' "$(openssl rand -hex 4)" >"${DIR}/secrets/minio-root-user"
  secret >"${DIR}/secrets/minio-root-password"
  printf 'sparkify-worker-%s' "$(openssl rand -hex 4)" >"${DIR}/secrets/minio-worker-user"
  secret >"${DIR}/secrets/minio-worker-password"
  (umask 077 && printf 'MINIO_ROOT_USER=%s\nMINIO_ROOT_PASSWORD=%s\nMINIO_BROWSER=off\n' \
    "$(<"${DIR}/secrets/minio-root-user")" "$(<"${DIR}/secrets/minio-root-password")" >"${DIR}/state/minio.env")
  run_minio

  mc_root mb --ignore-existing "root/${INPUT_BUCKET}" "root/${LAKE_BUCKET}" "root/${OTHER_BUCKET}" >/dev/null
  printf 'not for the workers\n' | mc_root pipe "root/${OTHER_BUCKET}/private.txt" >/dev/null
  # The workers' user: read and write the input and lake buckets, list them; nothing else (no other bucket, no admin).
  cat >"${DIR}/state/worker-policy.json" <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
      "Resource": ["arn:aws:s3:::${INPUT_BUCKET}", "arn:aws:s3:::${LAKE_BUCKET}"] },
    { "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      "Resource": ["arn:aws:s3:::${INPUT_BUCKET}/*", "arn:aws:s3:::${LAKE_BUCKET}/*"] }
  ]
}
EOF
  mc_root admin policy create root sparkify-worker "${DIR}/state/worker-policy.json" >/dev/null
  # `admin user add` takes the secret as an argument; on stdin it would ask a terminal. This runs for a second on
  # the machine that made the secret, and the secret is the workers' (which `env` prints anyway), not root's.
  mc_root admin user add root "$(<"${DIR}/secrets/minio-worker-user")" "$(<"${DIR}/secrets/minio-worker-password")" >/dev/null
  mc_root admin policy attach root sparkify-worker --user "$(<"${DIR}/secrets/minio-worker-user")" >/dev/null
  log "MinIO: buckets ${INPUT_BUCKET}, ${LAKE_BUCKET} (the workers' user may use these two only) and ${OTHER_BUCKET}"
}

# --------------------------------------------------------------- workers ---

# The variables a host's programs get: a node's are its worker's settings; the services host's reach the frontend
# with its own certificate.
write_host_env() {
  local host="$1" c="${DIR}/certs" file="${DIR}/state/${1}.env"
  # Behind `delay`, the worker reaches both servers through its host's relays (the TLS name stays the frontend's).
  local temporal="${SERVICES_IP}:${TEMPORAL_PORT}" minio="${SERVICES_IP}:${MINIO_PORT}"
  if [[ -f "${DIR}/state/${host}.delay" ]]; then temporal="127.0.0.1:${RELAY_TEMPORAL_PORT}"; minio="127.0.0.1:${RELAY_MINIO_PORT}"; fi
  (umask 077 && {
    printf 'TEMPORAL_ADDRESS=%s\nTEMPORAL_NAMESPACE=default\nSPARKIFY_TASK_QUEUE=%s\n' "$temporal" "$TASK_QUEUE"
    printf 'TEMPORAL_TLS_CA=%s\nTEMPORAL_TLS_CERT=%s\nTEMPORAL_TLS_KEY=%s\nTEMPORAL_TLS_SERVER_NAME=%s\n' "$c/ca.pem" "$c/$host.pem" "$c/$host.key" "$FRONTEND_NAME"
    if [[ "$host" != services ]]; then
      printf 'S3_ENDPOINT=%s\nAWS_REGION=us-east-1\nAWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n' \
        "http://${minio}" "$(<"${DIR}/secrets/minio-worker-user")" "$(<"${DIR}/secrets/minio-worker-password")"
      printf 'SPARKIFY_INPUT=s3://%s/\nSPARKIFY_OUTPUT=s3://%s/\nSPARKIFY_WORKER_IDENTITY=sparkify-worker@%s\n' "$INPUT_BUCKET" "$LAKE_BUCKET" "$host"
      printf 'SPARKIFY_ACTIVITY_CONCURRENCY=%s\nSPARKIFY_WORKER_HEAP_MB=%s\n' "${SPARKIFY_CLUSTER_ACTIVITY_CONCURRENCY:-4}" "${SPARKIFY_CLUSTER_WORKER_HEAP_MB:-1024}"
      local extra
      # Worker versioning, when the caller asks for it (rolling restarts onto a new build).
      for extra in SPARKIFY_DEPLOYMENT_NAME SPARKIFY_BUILD_ID; do
        [[ -z "${!extra:-}" ]] || printf '%s=%s\n' "$extra" "${!extra}"
      done
    fi
  } >"$file")
}

start_worker() {
  local host="$1"
  write_host_env "$host"
  start_proc "$host" "worker-${host}" "${DIR}/state/${host}.env" node "${REPO_ROOT}/bin/sparkify.js" worker
}

wait_workers() {
  local host
  for host in "$@"; do
    wait_for "worker on ${host}" "worker-${host}" grep -q 'polling task queue' "${DIR}/logs/worker-${host}.log"
  done
}

# -------------------------------------------------------------- commands ---

find_tools() {
  local ensure="${SCRIPT_DIR}/tools/ensure-tool.sh"
  TEMPORAL_SERVER="$(bash "$ensure" temporal-server)"
  SQL_TOOL="$(bash "$ensure" temporal-sql-tool)"
  TEMPORAL_CLI="$(bash "$ensure" temporal)"
  MINIO="$(bash "$ensure" minio)"
  MC="$(bash "$ensure" mc)"
  UI_SERVER=""
  [[ "${SPARKIFY_CLUSTER_UI:-1}" == 0 ]] || UI_SERVER="$(bash "$ensure" temporal-ui-server)"
}

need_root() {
  [[ "$(id -u)" == 0 ]] || die "needs root (network namespaces, a bridge, PostgreSQL as its own user)"
  command -v ip >/dev/null || die "needs iproute2 (ip)"
}

cmd_up() {
  need_root
  [[ ! -e "${DIR}/state" ]] || die "${DIR} holds a cluster already (bash infra/cluster.sh down removes it)"
  local host
  for host in "${HOSTS[@]}"; do
    ! ns_exists "$(ns_of "$host")" || die "namespace $(ns_of "$host") exists: another cluster named ${NAME}? (SPARKIFY_CLUSTER_NAME)"
  done
  ! ip link show "$BRIDGE" >/dev/null 2>&1 || die "link ${BRIDGE} exists: another cluster named ${NAME}? (SPARKIFY_CLUSTER_NAME)"
  [[ -x "${PG_BIN}/postgres" ]] || die "PostgreSQL 15 is not at ${PG_BIN} (apt-get install postgresql-15, or set PG_BIN)"
  find_tools
  [[ -f "${REPO_ROOT}/dist/cli/main.js" ]] || die "build first: npm run build"

  local start=$SECONDS
  mkdir -p "${DIR}/state/pids" "${DIR}/logs" "${DIR}/secrets"
  chmod 700 "${DIR}/secrets" "${DIR}/state"
  printf 'NAME=%s\nSUBNET=%s\n' "$NAME" "$SUBNET" >"${DIR}/state/cluster"
  for host in "${HOSTS[@]}"; do mkdir -p "$(host_dir "$host")/tmp"; done
  # From here on, a failure takes down what was made.
  trap 'rc=$?; if ((rc != 0)); then up_failed; fi' EXIT
  net_up
  make_certs
  start_postgres
  setup_schema
  start_temporal
  [[ -z "$UI_SERVER" ]] || start_ui
  start_minio
  for host in node1 node2 node3; do start_worker "$host"; done
  wait_workers node1 node2 node3
  trap - EXIT
  log "up in $((SECONDS - start))s. Use it from here: eval \"\$(bash infra/cluster.sh env)\""
}

up_failed() { # keeps the logs (no secrets in them) for a look, removes the rest
  local kept
  kept="$(mktemp -d "${TMPDIR:-/tmp}/sparkify-cluster-logs.XXXXXX")"
  cp -r -- "${DIR}/logs/." "$kept/" 2>/dev/null || true
  log "up failed; removing what it made (logs kept in ${kept})"
  cmd_down >&2 || true
}

cmd_down() {
  need_root
  local name host file pid
  if [[ -d "${DIR}/state/pids" ]]; then
    # Workers first (they drain), then the servers they use.
    for name in worker-node1 worker-node2 worker-node3 ui temporal minio postgres; do stop_proc "$name" 30; done
    for file in "${DIR}/state/pids"/*; do [[ -e "$file" ]] && stop_proc "$(basename -- "$file")"; done
  fi
  # Only what this cluster's folder recorded: a namespace or link of the same name made by another folder's
  # cluster is not ours to remove.
  local ns
  if [[ -f "${DIR}/state/netns" ]]; then
    while read -r ns; do
      ns_exists "$ns" || continue
      # Whatever `exec` left running in the namespace: processes of ours, by their ids.
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
      ip netns del "$ns"
    done <"${DIR}/state/netns"
  fi
  # A namespace's end of each veth goes with it, and takes the bridge's end along; the bridge is ours to remove.
  if [[ -f "${DIR}/state/links" ]]; then
    while read -r name; do
      # A veth may vanish between the look and the delete, as its namespace goes.
      ! ip link show "$name" >/dev/null 2>&1 || ip link del "$name" 2>/dev/null || true
    done <"${DIR}/state/links"
  fi
  [[ ! -d "$DIR" ]] || rm -rf -- "$DIR"
  log "down: processes, namespaces, links and ${DIR} removed"
}

cmd_status() {
  local name file rc=0 host ns
  [[ -d "${DIR}/state" ]] || { echo "no cluster in ${DIR}"; return 3; }
  for file in "${DIR}/state/pids"/*; do
    [[ -e "$file" ]] || continue
    name="$(basename -- "$file")"
    if group_alive "$(<"$file")"; then printf '%-14s running (process group %s)\n' "$name" "$(<"$file")"; else printf '%-14s STOPPED\n' "$name"; rc=1; fi
  done
  for host in "${HOSTS[@]}"; do
    ns="$(ns_of "$host")"
    if ns_exists "$ns"; then printf '%-14s namespace %s, %s\n' "$host" "$ns" "$(ip_of "$host")"; else printf '%-14s namespace %s MISSING\n' "$host" "$ns"; rc=1; fi
  done
  return "$rc"
}

cmd_env() {
  [[ -f "${DIR}/secrets/minio-worker-user" ]] || die "no cluster in ${DIR} (bash infra/cluster.sh up)"
  local c="${DIR}/certs" q
  q() { printf 'export %s=%q\n' "$1" "$2"; }
  q TEMPORAL_ADDRESS "${SERVICES_IP}:${TEMPORAL_PORT}"
  q TEMPORAL_NAMESPACE default
  q TEMPORAL_TLS_CA "$c/ca.pem"
  q TEMPORAL_TLS_CERT "$c/local.pem"
  q TEMPORAL_TLS_KEY "$c/local.key"
  q TEMPORAL_TLS_SERVER_NAME "$FRONTEND_NAME"
  [[ ! -f "${DIR}/state/pids/ui" ]] || q TEMPORAL_UI_URL "http://${SERVICES_IP}:${UI_PORT}"
  q SPARKIFY_TASK_QUEUE "$TASK_QUEUE"
  q S3_ENDPOINT "http://${SERVICES_IP}:${MINIO_PORT}"
  q AWS_REGION us-east-1
  q AWS_ACCESS_KEY_ID "$(<"${DIR}/secrets/minio-worker-user")"
  q AWS_SECRET_ACCESS_KEY "$(<"${DIR}/secrets/minio-worker-password")"
  q SPARKIFY_INPUT "s3://${INPUT_BUCKET}/"
  q SPARKIFY_OUTPUT "s3://${LAKE_BUCKET}/"
  q SPARKIFY_ALLOWED_INPUTS "s3://${INPUT_BUCKET}/"
  q SPARKIFY_ALLOWED_OUTPUTS "s3://${LAKE_BUCKET}/"
}

cmd_exec() {
  need_root
  [[ $# -ge 2 ]] || die "usage: exec HOST CMD..."
  local host="$1"; shift
  ip_of "$host" >/dev/null
  [[ -f "${DIR}/state/${host}.env" ]] || write_host_env "$host"
  cd "$(host_dir "$host")"
  exec ip netns exec "$(ns_of "$host")" env -i PATH="$PATH" HOME="$(host_dir "$host")" TMPDIR="$(host_dir "$host")/tmp" \
    bash -c 'set -a; . "$1"; set +a; shift; exec "$@"' _ "${DIR}/state/${host}.env" "$@"
}

cmd_certs() { # the same CA and certificates into DIR, for the compose stack (infra/README.md)
  [[ $# -eq 1 ]] || die "usage: certs DIR"
  [[ ! -e "$1/ca.pem" ]] || die "$1 holds certificates already"
  mkdir -p "$1"
  make_certs "$1"
  rm -f -- "$1/ca.key" "$1/ca.srl"   # nothing more is signed with it
  # The containers run as users other than root and must read their keys through the bind mount: keep the folder
  # on a machine of your own, out of git (infra/certs/ is ignored).
  chmod 644 "$1"/*.key
  chmod 755 "$1"
}

# The processes `stop`, `start` and `restart` know, and what starts each again from the state `up` left.
PROCS=(postgres temporal ui minio worker-node1 worker-node2 worker-node3)
proc_known() { local p; for p in "${PROCS[@]}"; do [[ "$p" == "$1" ]] && return 0; done; die "unknown process '$1' (${PROCS[*]})"; }

cmd_stop() { # stop NAME [--kill]: SIGTERM (a worker drains its activities first), or SIGKILL at once
  need_root
  [[ $# -ge 1 ]] || die "usage: stop NAME [--kill]"
  proc_known "$1"
  [[ -f "${DIR}/state/pids/$1" ]] || die "$1 is not running"
  if [[ "${2:-}" == --kill ]]; then
    local pgid; pgid="$(<"${DIR}/state/pids/$1")"
    kill -KILL -- "-$pgid" 2>/dev/null || true
    while group_alive "$pgid"; do sleep 0.1; done
    rm -f -- "${DIR}/state/pids/$1"
    log "$1 killed (SIGKILL to process group $pgid)"
  else
    stop_proc "$1" 150
    log "$1 stopped"
  fi
}

cmd_start() { # start NAME: starts a stopped process again, as `up` started it
  need_root
  [[ $# -eq 1 ]] || die "usage: start NAME"
  proc_known "$1"
  [[ -d "${DIR}/state" ]] || die "no cluster in ${DIR} (bash infra/cluster.sh up)"
  if [[ -f "${DIR}/state/pids/$1" ]] && group_alive "$(<"${DIR}/state/pids/$1")"; then die "$1 is running"; fi
  find_tools
  case "$1" in
    postgres) run_postgres ;;
    temporal) run_temporal ;;
    ui) [[ -n "$UI_SERVER" ]] || die "no Web UI in this cluster"; run_ui ;;
    minio) run_minio ;;
    worker-node*) start_proc "${1#worker-}" "$1" "${DIR}/state/${1#worker-}.env" node "${REPO_ROOT}/bin/sparkify.js" worker ;;
  esac
  log "$1 started"
}

cmd_link() { # link HOST up|down: the host's network link, as a cable pulled and plugged back
  need_root
  [[ $# -eq 2 && ( "$2" == up || "$2" == down ) ]] || die "usage: link HOST up|down"
  ip_of "$1" >/dev/null
  ip -n "$(ns_of "$1")" link set eth0 "$2"
  log "$1: link $2"
}

cmd_netem() { # netem HOST ARGS...|clear: delay or loss on what HOST sends, as a slow or lossy network would
  need_root
  [[ $# -ge 2 ]] || die "usage: netem HOST ARGS... (e.g. delay 100ms, loss 100%) | netem HOST clear"
  ip_of "$1" >/dev/null
  local ns; ns="$(ns_of "$1")"; local host="$1"; shift
  command -v tc >/dev/null || die "tc not found (iproute2)"
  if [[ "$1" == clear ]]; then
    # Deleting the root qdisc when none was added fails; clear must be safe to repeat.
    ip netns exec "$ns" tc qdisc del dev eth0 root 2>/dev/null || true
    log "${host}: netem cleared"
    return
  fi
  local err
  if ! err="$(ip netns exec "$ns" tc qdisc replace dev eth0 root netem "$@" 2>&1)"; then
    [[ "$err" != *"qdisc kind is unknown"* ]] || die "this kernel has no netem qdisc (CONFIG_NET_SCH_NETEM): ${err}"
    die "tc netem $*: ${err}"
  fi
  log "${host}: netem $*"
}

lines_in() { local n; n="$(grep -c -- "$2" "${DIR}/logs/$1.log" 2>/dev/null)" || true; echo "${n:-0}"; }
log_grew() { (( $(lines_in "$1" "$2") > ${3:-0} )); }

RELAY_TEMPORAL_PORT=17233
RELAY_MINIO_PORT=19000

cmd_delay() { # delay HOST MS|off: HOST's worker behind relays that hold each chunk MS each way (no netem needed)
  need_root
  [[ $# -eq 2 && ( "$2" == off || "$2" =~ ^[0-9]+$ ) && "$1" == node* ]] || die "usage: delay node1|node2|node3 MS|off"
  ip_of "$1" >/dev/null
  local host="$1"
  [[ -f "${DIR}/state/pids/worker-${host}" ]] || die "worker-${host} is not running"
  stop_proc "worker-${host}" 150
  stop_proc "delay-${host}"
  if [[ "$2" == off ]]; then
    rm -f -- "${DIR}/state/${host}.delay"
  else
    printf '%s\n' "$2" >"${DIR}/state/${host}.delay"
    local relays; relays="$(lines_in "delay-${host}" 'delay-relay:')"
    start_proc "$host" "delay-${host}" "${DIR}/state/${host}.env" node "${REPO_ROOT}/dist/bench/chaos/delay-relay.js" "$2" \
      "${RELAY_TEMPORAL_PORT}=${SERVICES_IP}:${TEMPORAL_PORT}" "${RELAY_MINIO_PORT}=${SERVICES_IP}:${MINIO_PORT}"
    wait_for "relays on ${host}" "delay-${host}" log_grew "delay-${host}" 'delay-relay:' "$relays"
  fi
  # Logs are appended to: the new worker is ready when its log has one 'polling' line more than before.
  local polling; polling="$(lines_in "worker-${host}" 'polling task queue')"
  start_worker "$host"
  wait_for "worker on ${host}" "worker-${host}" log_grew "worker-${host}" 'polling task queue' "$polling"
  log "${host}: worker's links to Temporal and MinIO $([[ "$2" == off ]] && echo direct || echo "held $2 ms each way")"
}

cmd_load() {
  [[ $# -eq 1 && -d "$1" ]] || die "usage: load DIR (a folder with song_data/ and log_data/)"
  MC="$(bash "${SCRIPT_DIR}/tools/ensure-tool.sh" mc)"
  [[ -f "${DIR}/secrets/minio-root-user" ]] || die "no cluster in ${DIR} (bash infra/cluster.sh up)"
  mc_root mirror --overwrite "$1" "root/${INPUT_BUCKET}" >/dev/null
  log "loaded $(find -L "$1" -type f | wc -l) files from $1 into s3://${INPUT_BUCKET}/"
}

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
command="$1"; shift
case "$command" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  exec) cmd_exec "$@" ;;
  load) cmd_load "$@" ;;
  certs) cmd_certs "$@" ;;
  stop) cmd_stop "$@" ;;
  start) cmd_start "$@" ;;
  restart) cmd_stop "$@" && cmd_start "$1" ;;
  link) cmd_link "$@" ;;
  delay) cmd_delay "$@" ;;
  netem) cmd_netem "$@" ;;
  *) usage ;;
esac
