#!/bin/sh
# One big machine: N shard processes at once with GNU parallel (or xargs -P), then merge.
# Useful when one process cannot use all cores (each shard still uses --workers threads).
set -eu
N=8
parallel -j "$N" citymesh build city.geojson --shard {}/"$N" --scratch-dir store --workers 2 ::: $(seq 0 $((N - 1)))
# or: seq 0 $((N - 1)) | xargs -P "$N" -I{} citymesh build city.geojson --shard {}/"$N" --scratch-dir store --workers 2
citymesh merge store -o city.glb
