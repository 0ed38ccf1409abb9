#!/usr/bin/env bash
# Ensures a Redis server answers on 127.0.0.1:6379 and that redis-server is on PATH
# (the Redis Cluster tests start their own redis-server processes).
set -euo pipefail
if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  echo "redis-up: installing redis-server" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq redis-server redis-tools >/dev/null
fi
if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  exit 0
fi
echo "redis-up: starting redis-server on 127.0.0.1:6379" >&2
mkdir -p /tmp/guard-redis
redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
  --dir /tmp/guard-redis --logfile /tmp/guard-redis/redis.log
for _ in $(seq 1 50); do
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && exit 0
  sleep 0.1
done
echo "redis-up: redis did not start; see /tmp/guard-redis/redis.log" >&2
exit 1
