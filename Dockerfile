# syntax=docker/dockerfile:1
# The gateway as a container image: Node 20 on Debian slim, production
# dependencies only, run as the unprivileged `node` user. TypeScript runs
# through tsx, a runtime dependency, so there is no compile step. The same
# image runs the emulator (`emulator --host 0.0.0.0`), as docker-compose.yml
# does. Configuration comes from the environment at run time
# (docs/configuration.md); nothing secret is baked in.

# Production dependencies. Compilers are here only for a native module
# (better-sqlite3) without a prebuilt binary for the platform; they stay in
# this stage.
FROM node:20.20.2-slim AS deps
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# No lifecycle scripts of our own (`prepare` builds the playground, which the
# next stage does with the dev dependencies); then better-sqlite3's own install.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && npm rebuild better-sqlite3 \
  && npm cache clean --force

# The playground bundle (GraphiQL and the upload page), built with the dev
# dependencies; only its output is kept. It is served when PLAYGROUND=true.
FROM node:20.20.2-slim AS playground
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build:playground

FROM node:20.20.2-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY resolvers ./resolvers
COPY schema ./schema
COPY --from=playground /app/playground/dist ./playground/dist
# The emulator's data (when this image runs it) goes to a volume owned by `node`.
RUN mkdir -p /app/.aep-data && chown node:node /app/.aep-data
USER node
EXPOSE 4000
# Liveness only (/healthz): readiness (/readyz) depends on the Platform, and a
# container must not be restarted because the Platform is down.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) drains running requests and subscriptions, then exits.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/aep-graphql.js"]
CMD ["serve"]
