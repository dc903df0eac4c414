#!/usr/bin/env bash
# Installs the Debian tools the test suite uses when they are missing: docker-compose, to
# validate docker-compose.yml (no Docker engine is needed for `docker-compose config`), and
# pgbouncer, which test/db/pgbouncer.test.ts runs in transaction mode in front of PostgreSQL.
set -euo pipefail
missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
if [ ${#missing[@]} -gt 0 ]; then
  echo "ensure-tools: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
