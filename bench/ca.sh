#!/usr/bin/env bash
# Usage: bench/ca.sh
#
# Whole-process time of issuing one certificate for `localhost 127.0.0.1 ::1`:
#   postern cert localhost 127.0.0.1 ::1            (ECDSA P-256, Postern's default)
#   postern cert --rsa 2048 localhost 127.0.0.1 ::1 (like for like with mkcert's default)
#   mkcert localhost 127.0.0.1 ::1                  (RSA 2048, mkcert's default)
#   mkcert -ecdsa localhost 127.0.0.1 ::1           (P-256)
# each with its own CA made beforehand (postern: a temporary --home; mkcert: a
# temporary CAROOT, TRUST_STORES=none; mkcert's root is RSA 3072, as `mkcert
# -install` makes it), in the same run, with hyperfine (`apt-get install
# hyperfine`) or, without it, a bash loop timed with date +%s%N. The runs go
# in ROUNDS rounds, one batch per command each round, so that a slow moment of
# the machine does not fall on one command only.
# Figures go into bench/README.md between the "ca.sh results" markers.
#
# Environment (defaults):
#   RUNS=30 WARMUP=3          timed runs and untimed warm-up runs per command
#   ROUNDS=3                  rounds the timed runs are spread over
#   SCRATCH_PATH=.build-static scratch path of scripts/build-release, which builds the binary
#                             one ships: the Swift runtime and libstdc++ linked in (the
#                             dynamic loader then has the C library and SQLite alone to
#                             map: about a quarter of `postern cert`'s time otherwise)
#   SKIP_BUILD=0              1: use the release binary already built
#   POSTERN_BIN=              use this binary instead (implies no build)
#   MKCERT_BIN=mkcert
#   WRITE_README=1            0: print only
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
RUNS=${RUNS:-30}
WARMUP=${WARMUP:-3}
ROUNDS=${ROUNDS:-3}
SKIP_BUILD=${SKIP_BUILD:-0}
WRITE_README=${WRITE_README:-1}
MKCERT_BIN=${MKCERT_BIN:-$(command -v mkcert || true)}
log() { printf '[ca.sh] %s\n' "$*" >&2; }

[ -n "$MKCERT_BIN" ] || { log "mkcert is not installed (apt-get install mkcert)"; exit 1; }

if [ -z "${POSTERN_BIN:-}" ]; then
  export SCRATCH_PATH=${SCRATCH_PATH:-$ROOT/.build-static}
  if [ "$SKIP_BUILD" != 1 ]; then
    log "building postern with scripts/build-release in $SCRATCH_PATH"
    POSTERN_BIN=$("$ROOT/scripts/build-release" | tail -n 1)
  else
    POSTERN_BIN="$SCRATCH_PATH/release/postern"
  fi
fi
[ -x "$POSTERN_BIN" ] || { log "no postern binary at $POSTERN_BIN"; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/out" "$WORK/postern-home" "$WORK/caroot"
export POSTERN_HOME="$WORK/postern-home" CAROOT="$WORK/caroot" TRUST_STORES=none
cd "$WORK/out"
"$POSTERN_BIN" ca create >/dev/null
"$MKCERT_BIN" localhost >/dev/null 2>&1   # makes mkcert's CA in CAROOT, untimed

NAMES="localhost 127.0.0.1 ::1"
LABELS=("postern cert" "postern cert --rsa 2048" "mkcert" "mkcert -ecdsa")
COMMANDS=("$POSTERN_BIN cert $NAMES" "$POSTERN_BIN cert --rsa 2048 $NAMES" "$MKCERT_BIN $NAMES" "$MKCERT_BIN -ecdsa $NAMES")

# One line per command: label <tab> mean_ms <tab> sd_ms <tab> median_ms <tab> min_ms
RESULTS="$WORK/results.tsv"
PER_ROUND=$(( (RUNS + ROUNDS - 1) / ROUNDS ))
for i in "${!COMMANDS[@]}"; do : >"$WORK/$i.times"; done
if command -v hyperfine >/dev/null; then
  METHOD="hyperfine $(hyperfine --version | awk '{print $2}') (-N, $WARMUP warm-up runs, $ROUNDS rounds of $PER_ROUND runs)"
  for _ in $(seq "$ROUNDS"); do
    for i in "${!COMMANDS[@]}"; do
      hyperfine -N --style none --warmup "$WARMUP" --runs "$PER_ROUND" --export-json "$WORK/$i.json" "${COMMANDS[$i]}" >/dev/null 2>&1
      python3 -c 'import json, sys; print("\n".join("%.3f" % (t * 1000) for t in json.load(open(sys.argv[1]))["results"][0]["times"]))' \
        "$WORK/$i.json" >>"$WORK/$i.times"
    done
  done
else
  METHOD="bash loop timed with date +%s%N ($WARMUP warm-up runs, $ROUNDS rounds of $PER_ROUND runs)"
  for _ in $(seq "$ROUNDS"); do
    for i in "${!COMMANDS[@]}"; do
      for _ in $(seq "$WARMUP"); do ${COMMANDS[$i]} >/dev/null 2>&1; done
      for _ in $(seq "$PER_ROUND"); do
        start=$(date +%s%N); ${COMMANDS[$i]} >/dev/null 2>&1; end=$(date +%s%N)
        echo "$(( (end - start) / 1000 ))e-3" >>"$WORK/$i.times"
      done
    done
  done
fi
for i in "${!COMMANDS[@]}"; do
  python3 - "$WORK/$i.times" "${LABELS[$i]}" >>"$RESULTS" <<'PY'
import statistics, sys
v = [float(x) for x in open(sys.argv[1]) if x.strip()]
print("\t".join([sys.argv[2]] + ["%.2f" % x for x in (statistics.mean(v), statistics.pstdev(v), statistics.median(v), min(v))]))
PY
done

TABLE="$WORK/table.md"
python3 - "$RESULTS" "$METHOD" "$(uname -m), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" "$("$MKCERT_BIN" -version 2>&1 | head -1)" >"$TABLE" <<'PY'
import sys, datetime
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
mean = {r[0]: float(r[1]) for r in rows}
median = {r[0]: float(r[3]) for r in rows}
print(f"Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; {sys.argv[3]}; mkcert {sys.argv[4]}; {sys.argv[2]}.")
print()
print("| command (`… localhost 127.0.0.1 ::1`) | key | mean ms | ± sd | median ms | min ms |")
print("| --- | --- | ---: | ---: | ---: | ---: |")
keys = {"postern cert": "P-256", "postern cert --rsa 2048": "RSA 2048", "mkcert": "RSA 2048", "mkcert -ecdsa": "P-256"}
for r in rows:
    print(f"| `{r[0]}` | {keys.get(r[0], '')} | {r[1]} | {r[2]} | {r[3]} | {r[4]} |")
print()
p, p_rsa = mean["postern cert"], mean["postern cert --rsa 2048"]
print(f"- `postern cert` (default) vs `mkcert` (default): **{mean['mkcert'] / p:.1f}× faster** (target ≥ 10×).")
print(f"- `postern cert` vs `mkcert -ecdsa` (same key type): **{mean['mkcert -ecdsa'] / p:.2f}×** (target ≥ 1×, no slower; "
      f"median against median {median['mkcert -ecdsa'] / median['postern cert']:.2f}×).")
print(f"- `postern cert --rsa 2048` vs `mkcert` (same key type): {mean['mkcert'] / p_rsa:.2f}×.")
PY
cat "$TABLE"

if [ "$WRITE_README" = 1 ]; then
  README="$HERE/README.md"
  python3 "$HERE/write_section.py" "$README" "$TABLE" ca.sh
  log "figures written into $README"
fi
