# syntax=docker/dockerfile:1
# The gateway image, in three stages: `build` compiles src/ to JavaScript in dist/ (SWC, with
# source maps) with every dependency installed; `deps` installs the production dependencies
# only; the runtime copies dist/, those node_modules and package.json. No TypeScript, tsx or
# SWC reaches the final image. test/e2e/production-start.test.ts runs this file's CMD with its
# environment against such a tree (production dependencies only), so the two cannot drift.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts/build.mjs ./scripts/
COPY schema ./schema
COPY src ./src
RUN node scripts/build.mjs

FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-slim AS runtime
# Memory, chosen from measurements at the bench's S1 load (README, Containers; bench/README.md):
# compiled, the gateway peaks at 133-137 MB RSS with these settings (about 250 MB without them),
# while its heap in use peaks at 48-62 MB, so the 128 MB old-generation cap leaves twice that.
# The 8 MB semi-space (V8's default is 16) saves about 15 MB at a cost of about 0.8 ms of GC per
# request; drop it where CPU matters more than memory (RSS about 155 MB).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=8"
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
# Files stay owned by root and read-only for the process; it writes nothing to disk.
USER node
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM goes straight to node (no npm or shell in between), which drains in-flight requests.
# Source maps make stack traces name the TypeScript file and line (dist/ holds the maps).
CMD ["node", "--enable-source-maps", "dist/src/main.js"]
