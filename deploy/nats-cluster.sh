#!/usr/bin/env sh
# A 3-node NATS JetStream cluster on loopback, for the tracking stream with 3 replicas (R3).
#
#   deploy/nats-cluster.sh start      # clients on 127.0.0.1:4301-4303, routes on 6301-6303
#   deploy/nats-cluster.sh stop
#
# Then: NATS_URL=nats://127.0.0.1:4301,nats://127.0.0.1:4302,nats://127.0.0.1:4303 NATS_REPLICAS=3
# Data lives in $NATS_DIR (default .data/nats). nats-server: `apt-get install nats-server`, or a
# release binary from https://github.com/nats-io/nats-server/releases.
set -eu
DIR=${NATS_DIR:-.data/nats}
ROUTES=nats://127.0.0.1:6301,nats://127.0.0.1:6302,nats://127.0.0.1:6303

case "${1:-}" in
  start)
    command -v nats-server >/dev/null || { echo "nats-server not found (apt-get install nats-server)" >&2; exit 1; }
    for n in 1 2 3; do
      mkdir -p "$DIR/n$n"
      nats-server -n "crucible-n$n" -a 127.0.0.1 -p "430$n" -js -sd "$DIR/n$n" \
        --cluster_name crucible --cluster "nats://127.0.0.1:630$n" --routes "$ROUTES" \
        -l "$DIR/n$n/server.log" -P "$DIR/n$n/server.pid" &
    done
    echo "NATS_URL=nats://127.0.0.1:4301,nats://127.0.0.1:4302,nats://127.0.0.1:4303"
    ;;
  stop)
    for n in 1 2 3; do
      [ -f "$DIR/n$n/server.pid" ] && kill "$(cat "$DIR/n$n/server.pid")" 2>/dev/null || true
    done
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
