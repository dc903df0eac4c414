#!/usr/bin/env bash
# Installs the Debian tools the test suite uses when they are missing: docker-compose, to
# validate docker-compose.yml (no Docker engine is needed for `docker-compose config`).
set -euo pipefail
if ! command -v docker-compose >/dev/null 2>&1; then
  echo "ensure-tools: installing docker-compose"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq docker-compose >/dev/null
fi
