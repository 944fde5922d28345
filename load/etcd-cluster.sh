#!/bin/bash
# Three etcd members on 127.0.0.1, the store NodeNomad's benchmarks run beside for a ratio.
#   load/etcd-cluster.sh start DIR   start the members with their data under DIR; prints the three client URLs
#   load/etcd-cluster.sh stop DIR    stop what "start DIR" started and delete DIR
# Members m1..m3 serve clients on 12379/22379/32379 and peers on 12380/22380/32380; etcd fsyncs every write.
# Installs Debian's etcd-server when etcd is missing (needs root).
set -eu
action=${1:?start or stop}
folder=${2:?a data folder}

if [ "$action" = stop ]; then
  if [ -f "$folder/pids" ]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$folder/pids"
    sleep 2
    while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done <"$folder/pids"
  fi
  rm -rf "$folder"
  exit 0
fi

if ! command -v etcd >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq etcd-server >/dev/null
fi

mkdir -p "$folder"
: >"$folder/pids"
members="m1=http://127.0.0.1:12380,m2=http://127.0.0.1:22380,m3=http://127.0.0.1:32380"
for n in 1 2 3; do
  etcd --name "m$n" --data-dir "$folder/m$n" \
    --listen-client-urls "http://127.0.0.1:${n}2379" --advertise-client-urls "http://127.0.0.1:${n}2379" \
    --listen-peer-urls "http://127.0.0.1:${n}2380" --initial-advertise-peer-urls "http://127.0.0.1:${n}2380" \
    --initial-cluster "$members" --initial-cluster-state new --initial-cluster-token nodenomad-bench \
    --log-level error >"$folder/m$n.log" 2>&1 &
  echo $! >>"$folder/pids"
done

# Ready once a write through the JSON gateway succeeds.
for _ in $(seq 1 100); do
  if curl -sf -X POST http://127.0.0.1:12379/v3/kv/put -d '{"key":"cmVhZHk=","value":"MQ=="}' >/dev/null; then
    break
  fi
  sleep 0.2
done
echo "http://127.0.0.1:12379 http://127.0.0.1:22379 http://127.0.0.1:32379"
