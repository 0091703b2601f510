#!/bin/sh
# One big machine: N shard processes at once with xargs -P, then merge.
# Useful when one process cannot use all cores (each shard still uses --workers threads).
# Settings from the environment (defaults in brackets):
#   CITYMESH_SHARDS [8]  CITYMESH_WORKERS [2] threads per shard
#   CITYMESH_INPUT [city.geojson]  CITYMESH_STORE [store]  CITYMESH_OUTPUT [city.glb]
#   CITYMESH_BUILD_ARGS  more build options, split at spaces (e.g. "--tile-size 500")
# e.g.  CITYMESH_SHARDS=16 CITYMESH_INPUT=/data/berlin.geojson sh one-machine.sh
# With GNU parallel instead of xargs (file names without spaces):
#   parallel -j "$N" citymesh build "$input" --shard {}/"$N" --scratch-dir "$store" --workers 2 ::: $(seq 0 $((N - 1)))
set -eu
N=${CITYMESH_SHARDS:-8}
workers=${CITYMESH_WORKERS:-2}
input=${CITYMESH_INPUT:-city.geojson}
store=${CITYMESH_STORE:-store}
output=${CITYMESH_OUTPUT:-city.glb}
# xargs exits non-zero (123) if any shard failed, and then set -e stops before the merge.
# shellcheck disable=SC2086 # CITYMESH_BUILD_ARGS is split on purpose
seq 0 $((N - 1)) | xargs -P "$N" -I{} citymesh build "$input" --shard {}/"$N" --scratch-dir "$store" --workers "$workers" ${CITYMESH_BUILD_ARGS:-}
citymesh merge "$store" -o "$output"
