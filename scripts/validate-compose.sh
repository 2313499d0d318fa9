#!/usr/bin/env bash
# Validates docker-compose.yml with a real compose parser (no Docker engine needed), then
# checks the gateways' environment against the gateway's own configuration schema
# (scripts/check-compose.ts). The `replicas` and `tracing` profiles are switched on, so that
# their services are parsed and checked too (Compose v2 leaves inactive profiles out of
# `config`); it is checked as rendered by default (tracing off) and with the tracing
# profile's endpoint (OTEL_EXPORTER_OTLP_ENDPOINT=http://jaeger:4318).
# Needs one of: the Docker Compose v2 plugin (`docker compose version` works), or Debian's
# docker-compose package (`apt-get install -y docker-compose`).
set -euo pipefail
cd "$(dirname "$0")/.."

PROFILES=(--profile replicas --profile tracing)
if docker compose version >/dev/null 2>&1; then
  echo "validate-compose: $(docker compose version)"
  docker compose -f docker-compose.yml "${PROFILES[@]}" config --quiet
  env -u OTEL_EXPORTER_OTLP_ENDPOINT docker compose -f docker-compose.yml "${PROFILES[@]}" config --format json | npx --no-install tsx scripts/check-compose.ts
  OTEL_EXPORTER_OTLP_ENDPOINT=http://jaeger:4318 docker compose -f docker-compose.yml "${PROFILES[@]}" config --format json | npx --no-install tsx scripts/check-compose.ts --tracing
elif command -v docker-compose >/dev/null 2>&1; then
  echo "validate-compose: $(docker-compose version --short 2>/dev/null || docker-compose version | head -1)"
  docker-compose -f docker-compose.yml "${PROFILES[@]}" config --quiet
  env -u OTEL_EXPORTER_OTLP_ENDPOINT docker-compose -f docker-compose.yml "${PROFILES[@]}" config | npx --no-install tsx scripts/check-compose.ts
  OTEL_EXPORTER_OTLP_ENDPOINT=http://jaeger:4318 docker-compose -f docker-compose.yml "${PROFILES[@]}" config | npx --no-install tsx scripts/check-compose.ts --tracing
else
  echo "validate-compose: no compose parser found; install Debian's docker-compose (apt-get install -y docker-compose) or the Docker Compose plugin" >&2
  exit 1
fi
