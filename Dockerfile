# syntax=docker/dockerfile:1
# The gateway image. Two stages: production dependencies are installed in the first, the
# runtime copies them with the sources and runs as the unprivileged `node` user.
# The entry is the same as `npm start` (tsx runs the TypeScript directly; it is a runtime
# dependency), so the image runs exactly what the tests run.

FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json tsconfig.json ./
COPY --chown=root:root schema ./schema
COPY --chown=root:root src ./src
# Files stay owned by root and read-only for the process; it writes nothing to disk.
USER node
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM goes straight to node (no npm or shell in between), which drains in-flight requests.
CMD ["node", "--import", "tsx", "src/main.ts"]
