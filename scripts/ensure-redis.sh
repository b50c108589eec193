#!/usr/bin/env bash
# Make sure a Redis server answers on $REDIS_HOST:$REDIS_PORT (default 127.0.0.1:6379): the broker of the test that
# runs a real Celery worker (Redis DB 2 by default, TEST_CELERY_BROKER_URL to change). When none answers: install
# Debian's redis-server (needs root or sudo) and start it in the background. An existing server is left alone.
set -euo pipefail

host="${REDIS_HOST:-127.0.0.1}"
port="${REDIS_PORT:-6379}"

answers() {
  command -v redis-cli >/dev/null 2>&1 && [[ "$(redis-cli -h "$host" -p "$port" ping 2>/dev/null)" == "PONG" ]]
}

if ! answers; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  if ! command -v redis-server >/dev/null 2>&1; then
    if ! command -v apt-get >/dev/null 2>&1; then
      echo "No Redis on $host:$port and no apt-get: start a Redis server, then run make again." >&2
      exit 1
    fi
    echo "Installing redis-server ..."
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y -q redis-server >/dev/null 2>&1 \
      || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q redis-server >/dev/null; }
  fi
  echo "Starting Redis ..."
  redis-server --bind "$host" --port "$port" --daemonize yes --save "" --appendonly no >/dev/null
  for _ in $(seq 1 30); do
    answers && break
    sleep 1
  done
  answers || { echo "Redis did not come up on $host:$port" >&2; exit 1; }
fi
echo "Redis ready: redis://$host:$port"
