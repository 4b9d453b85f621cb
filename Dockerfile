# Switchyard sidecar image: multi-stage, runs as the unprivileged `node` user, no shell tools needed.
#   docker build -t switchyard .
#   docker run --rm -p 8545:8545 -v "$PWD/config.docker.example.yaml:/etc/switchyard/config.yaml:ro" \
#     -e ALCHEMY_KEY -e INFURA_KEY switchyard
# The config comes from a mounted file; secrets come from environment variables through ${VAR} in it.
# NODE_IMAGE: the Node 20 base of both stages (the official image by default). CI, where no registry
# is reachable, passes a locally built Debian image with the runner's Node, npm and CA bundle
# (test/image/base-image.ts); it must have a `node` user (uid 1000) as the official image has.
ARG NODE_IMAGE=node:20-alpine

# ---- build: install everything, compile TypeScript, then keep production dependencies only ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the `prepare` build needs the sources (copied below); dev tools' postinstall
# downloads are not needed to compile.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY routes ./routes
COPY health ./health
COPY bench ./bench
RUN npx tsc -p tsconfig.json && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# ---- runtime: Node 20 LTS (Alpine by default), compiled code and production node_modules only ----
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY config.example.yaml ./config.example.yaml
# Files are owned by root and read-only to the process; it runs as the image's `node` user (uid 1000).
USER node
# 8545: JSON-RPC; 9545: the operator routes when the config sets server.opsListen (the docker example does).
EXPOSE 8545 9545
# Liveness through node itself (no curl or wget in the image). Override the URL when the config
# listens elsewhere: -e SWITCHYARD_HEALTHCHECK_URL=http://127.0.0.1:9000/healthz
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.SWITCHYARD_HEALTHCHECK_URL||'http://127.0.0.1:8545/healthz',{signal:AbortSignal.timeout(2500)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM drains (server.shutdownGrace) and exits 0; SIGHUP reloads the mounted config.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "--max-semi-space-size=8", "dist/src/main.js"]
CMD ["--config", "/etc/switchyard/config.yaml", "--watch"]
