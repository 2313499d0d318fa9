#!/usr/bin/env bash
# Validates docker-compose.yml with a real compose parser (no Docker engine needed), then
# checks the gateway's environment against the gateway's own configuration schema
# (scripts/check-compose.ts). The `replicas` profile is switched on, so that its gateways and
# proxy are parsed and checked too (Compose v2 leaves inactive profiles out of `config`).
# Needs one of: the Docker Compose v2 plugin (`docker compose version` works), or Debian's
# docker-compose package (`apt-get install -y docker-compose`).
set -euo pipefail
cd "$(dirname "$0")/.."

if docker compose version >/dev/null 2>&1; then
  echo "validate-compose: $(docker compose version)"
  docker compose --profile replicas -f docker-compose.yml config --quiet
  docker compose --profile replicas -f docker-compose.yml config --format json | npx --no-install tsx scripts/check-compose.ts
elif command -v docker-compose >/dev/null 2>&1; then
  echo "validate-compose: $(docker-compose version --short 2>/dev/null || docker-compose version | head -1)"
  docker-compose --profile replicas -f docker-compose.yml config --quiet
  docker-compose --profile replicas -f docker-compose.yml config | npx --no-install tsx scripts/check-compose.ts
else
  echo "validate-compose: no compose parser found; install Debian's docker-compose (apt-get install -y docker-compose) or the Docker Compose plugin" >&2
  exit 1
fi
