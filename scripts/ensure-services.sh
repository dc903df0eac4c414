#!/usr/bin/env bash
# Starts the local PostgreSQL and Redis when they are not already answering (machines of the
# node-svc kind run them as services; this covers a machine where one has stopped).
set -euo pipefail

wait_for() {
  local what=$1 check=$2
  for _ in $(seq 1 50); do
    if eval "$check" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "ensure-services: $what did not come up" >&2
  return 1
}

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "ensure-services: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  wait_for PostgreSQL "pg_isready -q -h 127.0.0.1 -p 5432"
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
  echo "ensure-services: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for Redis "redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG"
fi
