#!/usr/bin/env bash
# Scale-out on real engines, with the INSTALLED citymesh (npm pack -> npm install -g):
#   - a one-machine reference build of the sample city (several tiles),
#   - docs/scale-out/one-machine.sh (4 shard processes with xargs -P, then merge),
#   - docs/scale-out/slurm-shards.sbatch as a 4-task array job on a real one-node Slurm cluster
#     (Debian's slurm-wlm + munge, ../shared/recipes/slurm-single-node.md) and
#     docs/scale-out/slurm-merge.sbatch with --dependency=afterok,
# and checks that both merged meshes are byte-identical to the reference (shards and one process
# mesh the same tiles, so they must be). Also checks that docs/scale-out/Dockerfile builds the
# production bundles.
#
#   scripts/ci/scale-out.sh [citymesh-X.Y.Z.tgz]
#
# Without an argument it bundles for production (npm run build -- --production) in a copy of the
# sources, so this checkout's dist/ (the dev bundles the other suites use) is left alone, and
# packs that. Needs root (it starts slurmctld, slurmd and munged, and writes /etc/slurm/slurm.conf);
# otherwise it says it skipped and exits 0. It may run again on the same machine: the daemons it
# starts are stopped by the pids in their pid files when it ends, and the config is rewritten.
# CITYMESH_SCALE_OUT_KEEP=1 keeps the temporary directory; CITYMESH_SCALE_OUT_TIMEOUT (seconds,
# default 900) bounds the wait for the Slurm jobs.
# shellcheck disable=SC2317,SC2015  # functions run by step and the trap; "A && B || fail" meant
set -euo pipefail
export LC_ALL=C   # $EPOCHREALTIME with a decimal point

if [ "$(id -u)" != 0 ]; then
  echo "scale-out: skipped: needs root to start slurmctld/slurmd/munged"
  exit 0
fi

# One run at a time on a machine: the Slurm daemons, their pid files and /etc/slurm are the
# machine's, and a second run would stop the first one's daemons as leftovers. A second run
# (another CI checkout on the same machine) waits here until the first has ended.
exec 9> /run/lock/citymesh-scale-out.lock
if ! flock -n 9; then
  echo "scale-out: another run holds /run/lock/citymesh-scale-out.lock; waiting for it to end"
  flock 9
fi

root=$(cd "$(dirname "$0")/../.." && pwd)
scale=$root/docs/scale-out
shards=4
build_args="--tile-size 200"   # 25 tiles on the sample city
slurm_timeout=${CITYMESH_SCALE_OUT_TIMEOUT:-900}
poll=2                          # seconds between squeue polls
tarball=${1:-}
[ -z "$tarball" ] || tarball=$(cd "$(dirname "$tarball")" && pwd)/$(basename "$tarball")

tmp=$(mktemp -d /tmp/citymesh-scale-out.XXXXXX)
shared=$tmp/shared          # the "shared filesystem" of the shards
logs=$tmp/logs
mkdir -p "$shared" "$logs" "$tmp/slurm"

failures=0
timings=()
started_pids=()             # "name pid pidfile" of the daemons this run started
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
show_log() { # file [lines]: a long log's first 5 lines (the error, before any usage text) and its end
  local n=${2:-40}
  echo "--- $1"
  [ -f "$1" ] || { echo "    (no such file)"; return 0; }
  if [ "$(wc -l < "$1")" -le "$n" ]; then sed 's/^/    /' "$1"; return 0; fi
  head -n 5 "$1" | sed 's/^/    /'
  echo "    [...]"
  tail -n "$((n - 5))" "$1" | sed 's/^/    /'
}

# A daemon is ours to stop only if the pid in its file is alive and runs that program.
pid_of() { # pidfile program -> pid, if that program runs under the pid in the file
  local pid
  [ -s "$1" ] || return 1
  pid=$(tr -dc 0-9 < "$1")
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] && echo "$pid"
}
stop_pid() { # name pid: TERM, wait up to 30 s, then KILL
  local name=$1 pid=$2 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 150; i++)); do
    [ -d "/proc/$pid" ] || { echo "stopped $name (pid $pid)"; return 0; }
    sleep 0.2
  done
  echo "warning: $name (pid $pid) ignored SIGTERM for 30 s; SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? i name pid file
  trap - EXIT INT TERM
  # Jobs still queued or running (timeout, interrupted run) go first, while slurmctld is up.
  [ -z "${shard_job:-}" ] || scancel "$shard_job" ${merge_job:+"$merge_job"} 2>/dev/null || true
  for ((i = ${#started_pids[@]} - 1; i >= 0; i--)); do
    read -r name pid file <<< "${started_pids[$i]}"
    # The pid file still names the process we started (not a later daemon that reused it).
    [ "$(pid_of "$file" "$name" || true)" = "$pid" ] && stop_pid "$name" "$pid"
  done
  if [ "${CITYMESH_SCALE_OUT_KEEP:-}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "interrupted"; exit 130' INT TERM

step() { # name function: runs it, prints PASS/FAIL and its time, returns its status
  local name=$1 t rc=0
  shift
  t=$(now)
  echo
  echo "=== $name ($(date -u +%H:%M:%S))"
  "$@" || rc=1
  if [ "$rc" = 0 ]; then pass "$name ($(since "$t") s)"; else fail "$name ($(since "$t") s)"; fi
  timings+=("$(printf '%6s s  %s' "$(since "$t")" "$name")")
  return "$rc"
}

finish() {
  echo
  echo "=== timings"
  printf '%s\n' "${timings[@]}"
  if [ "$failures" = 0 ]; then echo "scale-out: PASS"; exit 0; fi
  echo "scale-out: FAIL ($failures failed)"
  exit 1
}

same_mesh() { # label mesh: byte-identical to the reference, with its buildings sidecar
  local label=$1 mesh=$2 ok=0
  if cmp "$shared/reference.glb" "$mesh"; then
    echo "cmp: $label mesh identical to the one-machine build ($(stat -c %s "$mesh") bytes)"
  else
    ok=1
    echo "cmp: $label mesh DIFFERS from the one-machine build: $(stat -c %s "$shared/reference.glb") vs $(stat -c %s "$mesh") bytes"
  fi
  if cmp "$shared/reference.buildings.jsonl" "${mesh%.glb}.buildings.jsonl"; then
    echo "cmp: $label buildings.jsonl identical"
  else
    ok=1
  fi
  return "$ok"
}

# --- 1. Dockerfile: the image must be built from the production bundles -------------------------
check_dockerfile() {
  local df=$scale/Dockerfile ok=0 tag
  # A build stage that makes the bundles itself, with --production (no fault hook)...
  grep -Eq '^FROM [^ ]+ AS build' "$df" || { echo "no build stage (FROM ... AS build)"; ok=1; }
  grep -Eq '^RUN .*npm ci' "$df" || { echo "the build stage does not npm ci"; ok=1; }
  grep -Eq '^RUN .*npm run build -- --production' "$df" || { echo "no 'RUN ... npm run build -- --production'"; ok=1; }
  # ...and the image takes dist/ from that stage, never the host's (dev) dist/.
  grep -Eq '^COPY --from=build .*dist/cli\.mjs' "$df" || { echo "dist/ is not copied from the build stage"; ok=1; }
  if grep -E '^COPY ' "$df" | grep -v -- '--from=' | grep -q 'dist'; then echo "copies the host's dist/ (dev bundles)"; ok=1; fi
  # The Kubernetes Jobs run the image the Dockerfile documents, and its citymesh command.
  tag=$(grep -Eo 'docker build -t [^ ]+' "$df" | awk '{print $4}')
  for y in "$scale"/k8s-*.yaml; do
    grep -q "image: $tag" "$y" || { echo "$(basename "$y") does not use the image $tag"; ok=1; }
    grep -Eq 'command: \["citymesh", "(build|merge)"' "$y" || { echo "$(basename "$y") does not run citymesh"; ok=1; }
  done
  [ "$ok" = 0 ] && echo "Dockerfile: build stage runs 'npm run build -- --production'; image $tag used by $(cd "$scale" && echo k8s-*.yaml)"
  return "$ok"
}

# --- 2. Pack and install: `citymesh` is the npm bin symlink of the installed package -------------
pack() {
  local src=$tmp/pkgsrc
  if [ -n "$tarball" ]; then
    [ -f "$tarball" ] || { echo "no such tarball: $tarball"; return 1; }
    echo "using $tarball"
    return 0
  fi
  [ -d "$root/node_modules/esbuild" ] || { echo "no node_modules in $root: run npm ci first"; return 1; }
  mkdir -p "$src"
  # The checkout's files (tracked and new, not ignored), so dist/ here stays the dev build.
  if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$root" && git ls-files -z -co --exclude-standard | tar --null --ignore-failed-read -T - -cf -) | tar -xf - -C "$src" || return 1
  else
    tar -C "$root" --exclude=./node_modules --exclude=./dist --exclude=./.git -cf - . | tar -xf - -C "$src" || return 1
  fi
  ln -s "$root/node_modules" "$src/node_modules"
  (cd "$src" && npm run build -- --production && npm pack --pack-destination "$tmp") > "$logs/pack.log" 2>&1 \
    || { show_log "$logs/pack.log"; return 1; }
  tarball=$(ls "$tmp"/citymesh-*.tgz)
  grep -q CITYMESH_FAULT "$src/dist/worker.mjs" && { echo "the production worker bundle still has the fault hook"; return 1; }
  echo "packed $(basename "$tarball") ($(stat -c %s "$tarball") bytes), production bundles"
}

install_pkg() {
  local want got bin
  npm install -g --prefix "$tmp/prefix" --no-audit --no-fund "$tarball" > "$logs/install.log" 2>&1 \
    || { show_log "$logs/install.log"; return 1; }
  export PATH="$tmp/prefix/bin:$PATH"
  bin=$(command -v citymesh) || { echo "citymesh is not on the PATH after the install"; return 1; }
  [ "$bin" = "$tmp/prefix/bin/citymesh" ] && [ -L "$bin" ] || { echo "citymesh is $bin, not the installed bin symlink"; return 1; }
  want="citymesh $(tar -xOzf "$tarball" package/package.json | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).version')"
  got=$(citymesh --version) || { echo "citymesh --version failed"; return 1; }
  [ "$got" = "$want" ] || { echo "citymesh --version printed '$got', expected '$want'"; return 1; }
  echo "$bin -> $(readlink "$bin"): $got"
  if grep -q CITYMESH_FAULT "$tmp/prefix/lib/node_modules/citymesh/dist/worker.mjs"; then echo "(development bundles: they have the fault hook)"; fi
}

# --- 3. Plan and one-machine reference -----------------------------------------------------------
reference() {
  local tiles used
  cp "$root/media/sample/sample-city.geojson" "$shared/city.geojson"
  cd "$shared"
  # shellcheck disable=SC2086
  citymesh plan city.geojson $build_args --shards "$shards" --scratch-dir "$shared/plan-store" --out plan.json > "$logs/plan.log" 2>&1 \
    || { show_log "$logs/plan.log"; return 1; }
  read -r tiles used < <(node -e 'const p = JSON.parse(require("fs").readFileSync("plan.json", "utf8")); console.log(p.tiles, new Set(p.tileList.map((t) => t.shard)).size)')
  echo "plan: $tiles tiles, $used of $shards shards have tiles ($build_args)"
  [ "$tiles" -ge 4 ] && [ "$used" = "$shards" ] || { echo "want >= 4 tiles and every shard used"; return 1; }
  # shellcheck disable=SC2086
  citymesh build city.geojson $build_args -o reference.glb --scratch-dir "$shared/reference-store" -q > "$logs/reference.log" 2>&1 \
    || { show_log "$logs/reference.log"; return 1; }
  tail -n 1 "$logs/reference.log"
}

# --- 3b. The image's files ------------------------------------------------------------------------
# There is no docker here to build the image, so its dist/ is put together as the Dockerfile's
# COPY --from=build line says, from the installed production bundles, and must build the sample
# city as the installed command did: a bundle or .wasm file the CLI loads beside itself and the
# image lacks fails here, not in a cluster.
image_files() {
  local img=$tmp/image f
  mkdir -p "$img/dist"
  cp "$root/package.json" "$img/"
  for f in $(grep -E '^COPY --from=build ' "$scale/Dockerfile" | sed -E 's/^COPY --from=build //' | awk '{ for (i = 1; i < NF; i++) print $i }'); do
    case "$f" in /src/dist/*) ;; *) echo "the Dockerfile copies $f from the build stage: expected /src/dist/ files only"; return 1 ;; esac
    cp "$tmp/prefix/lib/node_modules/citymesh/dist/${f#/src/dist/}" "$img/dist/" || { echo "the build stage makes no ${f#/src/}"; return 1; }
  done
  echo "image dist/: $(cd "$img/dist" && echo *)"
  cd "$shared"
  # shellcheck disable=SC2086
  node "$img/dist/cli.mjs" build city.geojson $build_args -o image.glb --scratch-dir "$shared/image-store" -q > "$logs/image.log" 2>&1 \
    || { show_log "$logs/image.log"; return 1; }
  same_mesh "the Dockerfile's image files" image.glb
}

# --- 4. docs/scale-out/one-machine.sh ------------------------------------------------------------
one_machine() {
  cd "$shared"
  CITYMESH_SHARDS=$shards CITYMESH_WORKERS=1 CITYMESH_INPUT=city.geojson CITYMESH_STORE=one-machine-store \
    CITYMESH_OUTPUT=one-machine.glb CITYMESH_BUILD_ARGS=$build_args sh "$scale/one-machine.sh" > "$logs/one-machine.log" 2>&1 \
    || { show_log "$logs/one-machine.log"; return 1; }
  grep -E '^shard [0-9]+/' "$logs/one-machine.log" | sort
  same_mesh one-machine.sh one-machine.glb
}

# --- 5. A one-node Slurm cluster ------------------------------------------------------------------
slurm_start() {
  local h i pid state d name file
  if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
    echo "installing slurm-wlm and munge from Debian"
    export DEBIAN_FRONTEND=noninteractive
    # Another apt-get on the machine holds the dpkg lock for a while: wait for it.
    apt-get install -y -qq -o DPkg::Lock::Timeout=600 slurm-wlm munge > "$logs/apt.log" 2>&1 \
      || { apt-get update -qq -o DPkg::Lock::Timeout=600 && apt-get install -y -qq -o DPkg::Lock::Timeout=600 slurm-wlm munge; } >> "$logs/apt.log" 2>&1 \
      || { show_log "$logs/apt.log"; return 1; }
  fi
  # Daemons an earlier, killed run left behind (its trap never ran): stop them by their pid files.
  for d in "slurmd /run/slurmd.pid" "slurmctld /run/slurmctld.pid" "munged /run/munge/munged.pid"; do
    read -r name file <<< "$d"
    if pid=$(pid_of "$file" "$name"); then echo "left over from an earlier run:"; stop_pid "$name" "$pid"; fi
  done
  # The recipe, ../shared/recipes/slurm-single-node.md beside the repository.
  h=$(hostname -s)
  mkdir -p /etc/slurm /var/spool/slurmd /var/spool/slurmctld /var/log/slurm /run/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge /etc/munge
  [ -s /etc/munge/munge.key ] || runuser -u munge -- mungekey --create   # the package makes one; just in case
  cat > /etc/slurm/slurm.conf <<CONF
ClusterName=local
SlurmctldHost=$h
SlurmUser=root
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmdSpoolDir=/var/spool/slurmd
StateSaveLocation=/var/spool/slurmctld
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$h CPUs=$(nproc) RealMemory=8000 State=UNKNOWN
PartitionName=debug Nodes=$h Default=YES MaxTime=INFINITE State=UP
CONF
  runuser -u munge -- munged > "$logs/munged.log" 2>&1 || { show_log "$logs/munged.log"; return 1; }
  pid=
  for ((i = 0; i < 50; i++)); do pid=$(pid_of /run/munge/munged.pid munged) && break; sleep 0.2; done
  [ -n "$pid" ] || { echo "munged did not write its pid file"; show_log "$logs/munged.log"; return 1; }
  started_pids+=("munged $pid /run/munge/munged.pid")
  # -c: start from a clean state; jobs saved by an earlier run are not recovered and requeued.
  slurmctld -c || { show_log /var/log/slurm/slurmctld.log; return 1; }
  pid=
  for ((i = 0; i < 50; i++)); do pid=$(pid_of /run/slurmctld.pid slurmctld) && break; sleep 0.2; done
  [ -n "$pid" ] || { echo "slurmctld did not write its pid file"; show_log /var/log/slurm/slurmctld.log; return 1; }
  started_pids+=("slurmctld $pid /run/slurmctld.pid")
  slurmd || { show_log /var/log/slurm/slurmd.log; return 1; }
  pid=
  for ((i = 0; i < 50; i++)); do pid=$(pid_of /run/slurmd.pid slurmd) && break; sleep 0.2; done
  [ -n "$pid" ] || { echo "slurmd did not write its pid file"; show_log /var/log/slurm/slurmd.log; return 1; }
  started_pids+=("slurmd $pid /run/slurmd.pid")
  # Wait (60 s at most) until the node has registered; a job submitted before only waits longer.
  for ((i = 0; i < 120; i++)); do
    state=$(sinfo -h -n "$h" -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.5
  done
  echo "daemons: ${started_pids[*]}"
  sinfo
  [ "$state" = idle ] || echo "(node $h is '$state' after 60 s; submitting anyway)"
}

# The job's records (an array job: one per task), one line each; JobState and ExitCode of one.
job_records() { scontrol -o show job "$1" 2>&1; }
state_of() { grep -Eo '(JobState|ExitCode)=[^ ]*' <<< "$1" | paste -sd' '; }

slurm_jobs() {
  local t0 out prev="" line ok=0 task i
  cd "$shared"
  export CITYMESH_INPUT=$shared/city.geojson CITYMESH_STORE=$shared/slurm-store \
    CITYMESH_OUTPUT=$shared/slurm.glb CITYMESH_BUILD_ARGS=$build_args
  # The documented sbatch files as they are; the command line sizes them for this node.
  shard_job=$(sbatch --parsable --array=0-$((shards - 1)) --cpus-per-task=1 --mem=1G --chdir="$shared" \
    --output="$tmp/slurm/shard-%A_%a.out" "$scale/slurm-shards.sbatch") || return 1
  shard_job=${shard_job%%;*}
  merge_job=$(sbatch --parsable --dependency=afterok:"$shard_job" --mem=1G --chdir="$shared" \
    --output="$tmp/slurm/merge-%j.out" "$scale/slurm-merge.sbatch") || return 1
  merge_job=${merge_job%%;*}
  echo "submitted: shards array job $shard_job (--array=0-$((shards - 1))), merge job $merge_job (afterok:$shard_job)"
  t0=$SECONDS
  while :; do
    out=$(squeue -h -j "$shard_job,$merge_job" -o '%i %T %r' 2>/dev/null | sort || true)
    [ -n "$out" ] || break
    if [ "$out" != "$prev" ]; then echo "[$((SECONDS - t0)) s] $(echo "$out" | paste -sd';' | sed 's/;/; /g')"; prev=$out; fi
    if grep -q "^$merge_job .*DependencyNeverSatisfied" <<< "$out"; then
      echo "a shard failed: the merge can never run"; scancel "$merge_job"; ok=1; break
    fi
    if ((SECONDS - t0 > slurm_timeout)); then
      echo "timeout: jobs still queued after $slurm_timeout s"; scancel "$shard_job" "$merge_job"; ok=1; break
    fi
    sleep "$poll"
  done
  echo "jobs left the queue after $((SECONDS - t0)) s"
  # Results: each record's state and exit code, and each shard's own report.
  for ((i = 0; i < shards; i++)); do
    line=$(job_records "$shard_job" | grep -E " ArrayTaskId=$i( |$)" || true)
    task=$(grep -hE '^shard [0-9]+/' "$tmp"/slurm/shard-"$shard_job"_"$i".out 2>/dev/null || true)
    echo "task $i: $(state_of "$line")  | ${task:-no shard report}"
    grep -q 'JobState=COMPLETED .*ExitCode=0:0' <<< "$line" || { ok=1; show_log "$tmp/slurm/shard-${shard_job}_$i.out" 20; }
    # --shard auto must have read this task's index and the array's size.
    grep -q "^shard $i/$shards:" <<< "$task" || { echo "task $i did not build shard $i/$shards"; ok=1; }
  done
  line=$(job_records "$merge_job")
  echo "merge: $(state_of "$line")  | $(tail -n 1 "$tmp/slurm/merge-$merge_job.out" 2>/dev/null)"
  grep -q 'JobState=COMPLETED .*ExitCode=0:0' <<< "$line" || { ok=1; show_log "$tmp/slurm/merge-$merge_job.out" 20; }
  [ "$ok" = 0 ] || { show_log /var/log/slurm/slurmctld.log 20; return 1; }
  same_mesh Slurm slurm.glb
}

total=$(now)
step "Dockerfile builds the production bundles" check_dockerfile || true
step "pack${tarball:+ (given tarball)}" pack || finish
step "install the tarball, citymesh --version" install_pkg || finish
step "plan and one-machine reference build" reference || finish
step "the Dockerfile's dist/ files build the sample, cmp" image_files || true
step "docs/scale-out/one-machine.sh, cmp" one_machine || true
if step "start a one-node Slurm cluster" slurm_start; then
  step "Slurm: slurm-shards.sbatch --array=0-$((shards - 1)) + slurm-merge.sbatch afterok, cmp" slurm_jobs || true
fi
timings+=("$(printf '%6s s  %s' "$(since "$total")" "total")")
finish
