# syntax=docker/dockerfile:1
#
# Sparkify ETL worker: polls task queue `sparkify-etl` on a Temporal cluster and
# runs the sparkifyEtl workflow and its activities.
#
# Build from the repository root (the build context must be the repo):
#   docker build -f infra/worker.Dockerfile -t sparkify-worker .
# Run (see infra/README.md for all settings):
#   docker run --rm -e TEMPORAL_ADDRESS=temporal.example:7233 \
#     -e S3_ENDPOINT=... -e AWS_ACCESS_KEY_ID=... -e AWS_SECRET_ACCESS_KEY=... \
#     -e SPARKIFY_INPUT=s3://sparkify-input/ -e SPARKIFY_OUTPUT=s3://sparkify-lake/ \
#     sparkify-worker

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------- build ---
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CI=true \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# Dependencies first, so source edits do not invalidate this layer. Scripts
# are skipped here because the root `prepare` script builds the project, and
# the sources are not copied yet. `npm rebuild` below runs the dependencies'
# own install scripts.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts

# Only what the worker needs; tests and infra stay out of the image.
# (A new top-level source folder must be added here too.)
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY lake ./lake
COPY activities ./activities
COPY workflows ./workflows
COPY worker ./worker
COPY client ./client
COPY cli ./cli
RUN npm rebuild \
 && npm run build \
 && npm prune --omit=dev --ignore-scripts

# -------------------------------------------------------------- runtime ---
FROM ${NODE_IMAGE} AS runtime

# tini as PID 1: reaps zombies and forwards SIGTERM to node, which lets the
# Temporal worker drain in-flight activities (compose: stop_grace_period).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV NODE_ENV=production \
    SPARKIFY_TASK_QUEUE=sparkify-etl \
    TEMPORAL_ADDRESS=temporal:7233 \
    TEMPORAL_NAMESPACE=default

COPY --from=build --chown=root:root /app/package.json ./package.json
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/bin ./bin

# The `node` user (uid 1000) ships with the official image. The app files stay
# root-owned and read-only for it; its working area is its own home.
USER node
ENV HOME=/home/node

STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/sparkify.js"]
CMD ["worker"]
