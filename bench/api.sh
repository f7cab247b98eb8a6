#!/usr/bin/env bash
# Usage: bench/api.sh
#
# Postern against the Django reference and against a bare Hummingbird server,
# same machine, same workload, loopback only:
#   1. builds `postern` and `bare-ceiling` with `swift build -c release`;
#   2. postern: empty temporary home, `postern serve --home H --port P
#      --http-port 0`; start time to the first answered HTTPS request, cold
#      (empty home: CA + certificate + database created) and warm (second start);
#      the reference's bench/api-load.sh against the warm instance; resident
#      memory before / during / after one BIG_MIB (200) MiB multipart upload
#      (`--max-upload 300MiB`);
#   3. Django reference (`run.sh PORT gunicorn` after `reset-db.sh`): the same
#      start times, api-load.sh and big upload;
#   4. bare-ceiling (fixed JSON from memory, postern's certificate): wrk on
#      GET /blog/1/;
#   5. a side-by-side table with ratios, printed and written into
#      bench/README.md (between the "api.sh results" markers).
#
# Environment (defaults):
#   DURATION THREADS CONNS SEED_COUNT UPLOADS ...  passed to api-load.sh (10s 2 16 100 200);
#                                                  DURATION/THREADS/CONNS also for the ceiling's wrk
#   PARTS="postern reference ceiling"   which parts to run
#   PORT=28443                           postern on PORT, reference PORT+1, ceiling PORT+2
#   SCRATCH_PATH=                        passed to swift build as --scratch-path (default .build)
#   SKIP_BUILD=0                         1: use binaries already built (same SCRATCH_PATH)
#   POSTERN_BIN= CEILING_BIN=            use these binaries instead (implies no build of that one)
#   POSTERN_ARGS=                        extra arguments for `postern serve`
#   BIG_MIB=200  MAX_UPLOAD=300MiB       the memory test's upload size and postern's limit
#   START_TIMEOUT=60 STOP_TIMEOUT=20     seconds: server start, server stop (then SIGKILL)
#   LOAD_TIMEOUT=900                     seconds for one api-load.sh run (then it is killed)
#   REF_DIR=/work/shared/reference       the Django reference (setup.sh already run)
#   DJANGO_REF_STATE=                    its state directory (setup.sh's default if unset)
#   OUTDIR=                              raw results (default: a new mktemp -d directory, kept)
#   WRITE_README=auto                    auto: only when all three parts ran and succeeded; 1: always; 0: never
#   KEEP_HOME=0                          1: keep postern's temporary home (with the uploads)
#
# Every wait is bounded; every server started here is stopped by its PID on exit.
set -euo pipefail

COMMAND_LINE=""   # the variables the caller set that change the workload, then the command
for v in DURATION THREADS CONNS SEED_COUNT SEED_IMAGES UPLOADS PARTS BIG_MIB MAX_UPLOAD POSTERN_ARGS \
         SKIP_BUILD SCRATCH_PATH POSTERN_BIN CEILING_BIN; do
  if [ -n "${!v:-}" ]; then
    case "${!v}" in *" "*) COMMAND_LINE+="$v='${!v}' " ;; *) COMMAND_LINE+="$v=${!v} " ;; esac
  fi
done
COMMAND_LINE+="bench/api.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
PKG=$(cd "$HERE/.." && pwd)
REF_DIR=${REF_DIR:-/work/shared/reference}
REF_STATE=${DJANGO_REF_STATE:-$HOME/.cache/django-reference}
export DJANGO_REF_STATE="$REF_STATE"
REF_CA="$REF_STATE/caroot/rootCA.pem"
PARTS=${PARTS:-postern reference ceiling}
PORT=${PORT:-28443}
P_PORT=$PORT; R_PORT=$((PORT + 1)); C_PORT=$((PORT + 2))
DURATION=${DURATION:-10s}; THREADS=${THREADS:-2}; CONNS=${CONNS:-16}
BIG_MIB=${BIG_MIB:-200}
MAX_UPLOAD=${MAX_UPLOAD:-300MiB}
START_TIMEOUT=${START_TIMEOUT:-60}
STOP_TIMEOUT=${STOP_TIMEOUT:-20}
LOAD_TIMEOUT=${LOAD_TIMEOUT:-900}   # one api-load.sh run (or the ceiling's wrk) at most
WRITE_README=${WRITE_README:-auto}
PY=${PYTHON_REPORT:-python3}   # stdlib only (the report); api-load.sh picks its own PYTHON

OUTDIR=${OUTDIR:-$(mktemp -d /tmp/postern-api-bench.XXXXXX)}
mkdir -p "$OUTDIR"/logs
OUTDIR=$(cd "$OUTDIR" && pwd)
WORK=$(mktemp -d /tmp/postern-api-work.XXXXXX)   # postern home + the big upload file
HOME_DIR="$WORK/home"
BIG="$WORK/big.png"

log() { echo "[api.sh $(date +%H:%M:%S)] $*" >&2; }
die() { echo "api.sh: $*" >&2; exit 1; }
has_part() { case " $PARTS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# ---------------------------------------------------------------- processes
SPID=""          # the server currently running (one at a time)
. "$HERE/processes.sh"
stop_server() {
  local pid=$SPID; SPID=""
  [ -n "$pid" ] || return 0
  stop_pid "$pid"
}
cleanup() {
  stop_server
  rm -f "$BIG"
  if [ "${KEEP_HOME:-0}" = 1 ]; then log "postern home kept in $HOME_DIR"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# wait_ready URL LOGFILE T0_MS -> prints ms from T0 to the first answered HTTPS
# request (any HTTP status; certificate not checked here, the CA may not exist
# yet on a cold start). Fails if the server exits or START_TIMEOUT passes.
wait_ready() {
  local url=$1 logf=$2 t0=$3 code deadline
  deadline=$(( t0 + START_TIMEOUT * 1000 ))
  while [ "$(now_ms)" -lt "$deadline" ]; do
    code=$(curl -sk --max-time 2 -o /dev/null -w '%{http_code}' "$url" 2>/dev/null || true)
    if [ -n "$code" ] && [ "$code" != 000 ]; then echo $(( $(now_ms) - t0 )); return 0; fi
    if ! kill -0 "$SPID" 2>/dev/null; then
      echo "api.sh: server (pid $SPID) exited before answering $url; its output:" >&2
      tail -n 30 "$logf" >&2; SPID=""; return 1
    fi
    sleep 0.02
  done
  echo "api.sh: no HTTPS answer from $url within ${START_TIMEOUT}s; server output:" >&2
  tail -n 30 "$logf" >&2
  return 1
}

# rss_kib PID -> VmRSS of PID plus its direct children (gunicorn's workers), KiB
rss_kib() {
  local total=0 p v
  for p in "$1" $(ps -o pid= --ppid "$1" 2>/dev/null); do
    v=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)
    total=$(( total + ${v:-0} ))
  done
  echo "$total"
}

# big_upload NAME BASE CAFILE -> OUTDIR/NAME/memory.json: RSS before, peak
# (sampled every 50 ms while the upload runs), after; the upload's status and time.
big_upload() {
  local name=$1 base=$2 ca=$3 out="$OUTDIR/$1" before after peak cur upid code secs
  make_big || { echo "api.sh: cannot write $BIG" >&2; return 1; }
  before=$(rss_kib "$SPID"); peak=$before
  log "$name: uploading ${BIG_MIB} MiB (RSS before: $((before / 1024)) MiB)"
  curl -sS --cacert "$ca" --max-time 300 -o "$out/big-upload-body.txt" \
    -w '%{http_code} %{time_total}\n' \
    -F "title=Big upload" -F "content=${BIG_MIB} MiB PNG" \
    -F "image=@$BIG;type=image/png;filename=big.png" \
    "$base/blog/" > "$out/big-upload.txt" 2> "$out/big-upload.err" &
  upid=$!
  for _ in $(seq 1 6200); do          # 310 s at most (curl gives up after 300)
    kill -0 "$upid" 2>/dev/null || break
    cur=$(rss_kib "$SPID"); [ "$cur" -gt "$peak" ] && peak=$cur
    sleep 0.05
  done
  wait "$upid" || true
  sleep 1                             # let the server finish what the response did not wait for
  after=$(rss_kib "$SPID"); [ "$after" -gt "$peak" ] && peak=$after
  read -r code secs < "$out/big-upload.txt" || { code=000; secs=0; }
  printf '{"mib": %s, "status": "%s", "seconds": %s, "rss_before_kib": %s, "rss_peak_kib": %s, "rss_after_kib": %s}\n' \
    "$BIG_MIB" "$code" "$secs" "$before" "$peak" "$after" | tee "$out/memory.json" >&2
}

# ------------------------------------------------------------------ checks
for tool in curl wrk awk ps timeout "$PY"; do command -v "$tool" >/dev/null || die "$tool not found (wrk: apt-get install wrk)"; done
[ -x "$REF_DIR/bench/api-load.sh" ] || die "$REF_DIR/bench/api-load.sh not found (set REF_DIR)"
has_part reference || has_part postern || has_part ceiling || die "PARTS='$PARTS' names no part (postern reference ceiling)"
for p in $P_PORT $R_PORT $C_PORT; do port_free "$p" || die "port $p on 127.0.0.1 is in use; set PORT (uses PORT..PORT+2)"; done
log "results in $OUTDIR (kept), scratch in $WORK (removed at exit)"
{
  echo "DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)"; echo "COMMAND=$COMMAND_LINE"
  echo "NPROC=$(nproc)"; echo "SWIFT=$(swift --version 2>/dev/null | head -1)"
  # the checkout the binaries are built from; "+changes" when Sources/ or Package.swift differ from it
  git_desc=$(git -C "$PKG" rev-parse --short HEAD 2>/dev/null || echo none)
  [ -n "$(git -C "$PKG" status --porcelain -- Sources Package.swift 2>/dev/null)" ] && git_desc="$git_desc+changes"
  if [ -n "${POSTERN_BIN:-}" ]; then git_desc="$git_desc (postern binary given: $POSTERN_BIN)"; fi
  echo "GIT=$git_desc"
  echo "LOADAVG_START=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "BIG_MIB=$BIG_MIB"; echo "DURATION=$DURATION"; echo "THREADS=$THREADS"; echo "CONNS=$CONNS"; echo "PARTS=$PARTS"
} > "$OUTDIR/meta.env"

# ------------------------------------------------------------------- build
SCRATCH=(); [ -n "${SCRATCH_PATH:-}" ] && SCRATCH=(--scratch-path "$SCRATCH_PATH")
build() { # PRODUCT -> path of the release binary
  if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "swift build -c release --product $1 ${SCRATCH[*]}"
    (cd "$PKG" && swift build -c release --product "$1" "${SCRATCH[@]}") > "$OUTDIR/logs/build-$1.log" 2>&1 \
      || { tail -n 40 "$OUTDIR/logs/build-$1.log" >&2; die "building $1 failed (log: $OUTDIR/logs/build-$1.log)"; }
  fi
  local bin; bin="$(cd "$PKG" && swift build -c release "${SCRATCH[@]}" --show-bin-path)/$1"
  [ -x "$bin" ] || die "$bin not found (build it, or unset SKIP_BUILD)"
  echo "$bin"
}
# A part whose binary does not build is reported as failed; the others still run.
if has_part postern && [ -z "${POSTERN_BIN:-}" ]; then POSTERN_BIN=$(build postern) || POSTERN_BIN=""; fi
if has_part ceiling && [ -z "${CEILING_BIN:-}" ]; then CEILING_BIN=$(build bare-ceiling) || CEILING_BIN=""; fi

OK_PARTS=""

# The memory test's upload: a PNG signature and a valid IHDR chunk (4096x4096
# RGB), then zeros up to BIG_MIB MiB (a sparse file). Header sniffing accepts
# it; a full decoder would not.
make_big() {
  [ -s "$BIG" ] && return 0
  "$PY" - "$BIG" "$BIG_MIB" <<'PNG'
import struct, sys, zlib
path, mib = sys.argv[1], int(sys.argv[2])
ihdr = struct.pack(">IIBBBBB", 4096, 4096, 8, 2, 0, 0, 0)
chunk = struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
with open(path, "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n" + chunk)
    f.truncate(mib * 1024 * 1024)
PNG
}

# ----------------------------------------------------------------- postern
start_postern() { # LOGFILE EXTRA_ARGS... -> sets SPID
  local logf=$1; shift
  # shellcheck disable=SC2086  # POSTERN_ARGS is a list of words
  "$POSTERN_BIN" serve --home "$HOME_DIR" --port "$P_PORT" --http-port 0 ${POSTERN_ARGS:-} "$@" > "$logf" 2>&1 &
  SPID=$!
}
run_postern() {
  local base="https://127.0.0.1:$P_PORT" out="$OUTDIR/postern" t0 cold warm ca
  [ -n "${POSTERN_BIN:-}" ] || { echo "api.sh: no postern binary (build failed, see $OUTDIR/logs/build-postern.log)" >&2; return 1; }
  mkdir -p "$out"
  ca="$HOME_DIR/ca/rootCA.pem"
  log "postern: cold start (empty home $HOME_DIR)"
  t0=$(now_ms); start_postern "$OUTDIR/logs/postern-cold.log"
  cold=$(wait_ready "$base/blog/" "$OUTDIR/logs/postern-cold.log" "$t0") || return 1
  grep -q "https://127.0.0.1:$P_PORT/" "$OUTDIR/logs/postern-cold.log" \
    || log "postern: warning: no 'https://127.0.0.1:$P_PORT/' line in its output"
  [ -r "$ca" ] || { echo "api.sh: postern is up but $ca does not exist" >&2; return 1; }
  { [ -s "$HOME_DIR/certs/server.pem" ] && [ -s "$HOME_DIR/certs/server-key.pem" ]; } \
    || { echo "api.sh: postern is up but $HOME_DIR/certs/server{,-key}.pem are missing" >&2; return 1; }
  curl -sS --cacert "$ca" --max-time 10 -o /dev/null "$base/blog/" \
    || { echo "api.sh: postern's certificate does not verify against $ca" >&2; return 1; }
  stop_server
  log "postern: warm start (same home), --max-upload $MAX_UPLOAD"
  t0=$(now_ms); start_postern "$OUTDIR/logs/postern-warm.log" --max-upload "$MAX_UPLOAD"
  warm=$(wait_ready "$base/blog/" "$OUTDIR/logs/postern-warm.log" "$t0") || return 1
  printf '{"cold_ms": %s, "warm_ms": %s}\n' "$cold" "$warm" | tee "$out/start.json" >&2
  LABEL="postern serve" timeout -k 10 "$LOAD_TIMEOUT" bash "$REF_DIR/bench/api-load.sh" "$base" "$ca" "$out" > "$OUTDIR/logs/postern-load.log" 2>&1 \
    || { tail -n 20 "$OUTDIR/logs/postern-load.log" >&2; echo "api.sh: api-load.sh against postern failed" >&2; return 1; }
  cat "$out/summary.txt" >&2
  big_upload postern "$base" "$ca"
  stop_server
}

# --------------------------------------------------------------- reference
start_reference() { # LOGFILE -> sets SPID (run.sh execs gunicorn: $! is the master)
  bash "$REF_DIR/run.sh" "$R_PORT" gunicorn > "$1" 2>&1 &
  SPID=$!
}
run_reference() {
  local base="https://127.0.0.1:$R_PORT" out="$OUTDIR/reference" t0 cold warm
  mkdir -p "$out"
  [ -r "$REF_CA" ] || { echo "api.sh: $REF_CA missing: run $REF_DIR/setup.sh first" >&2; return 1; }
  bash "$REF_DIR/reset-db.sh" >&2 || return 1
  log "reference: cold start (run.sh $R_PORT gunicorn)"
  t0=$(now_ms); start_reference "$OUTDIR/logs/reference-cold.log"
  cold=$(wait_ready "$base/blog/" "$OUTDIR/logs/reference-cold.log" "$t0") || return 1
  stop_server
  log "reference: warm start"
  t0=$(now_ms); start_reference "$OUTDIR/logs/reference-warm.log"
  warm=$(wait_ready "$base/blog/" "$OUTDIR/logs/reference-warm.log" "$t0") || return 1
  printf '{"cold_ms": %s, "warm_ms": %s}\n' "$cold" "$warm" | tee "$out/start.json" >&2
  LABEL="django reference, run.sh gunicorn" timeout -k 10 "$LOAD_TIMEOUT" bash "$REF_DIR/bench/api-load.sh" "$base" "$REF_CA" "$out" \
    > "$OUTDIR/logs/reference-load.log" 2>&1 \
    || { tail -n 20 "$OUTDIR/logs/reference-load.log" >&2; echo "api.sh: api-load.sh against the reference failed" >&2; return 1; }
  cat "$out/summary.txt" >&2
  big_upload reference "$base" "$REF_CA"
  stop_server
}

# ----------------------------------------------------------------- ceiling
run_ceiling() {
  local out="$OUTDIR/ceiling" cert key t0 ms
  [ -n "${CEILING_BIN:-}" ] || { echo "api.sh: no bare-ceiling binary (build failed, see $OUTDIR/logs/build-bare-ceiling.log)" >&2; return 1; }
  mkdir -p "$out"
  cert="$HOME_DIR/certs/server.pem"; key="$HOME_DIR/certs/server-key.pem"
  if [ ! -s "$cert" ]; then   # postern did not run: the reference's mkcert certificate
    cert="$REF_STATE/cert.pem"; key="$REF_STATE/key.pem"
  fi
  log "ceiling: bare-ceiling --cert $cert"
  t0=$(now_ms)
  "$CEILING_BIN" --port "$C_PORT" --cert "$cert" --key "$key" > "$OUTDIR/logs/ceiling.log" 2>&1 &
  SPID=$!
  ms=$(wait_ready "https://127.0.0.1:$C_PORT/blog/1/" "$OUTDIR/logs/ceiling.log" "$t0") || return 1
  printf '{"warm_ms": %s}\n' "$ms" > "$out/start.json"
  curl -sk --max-time 5 -o "$out/body-detail.json" "https://127.0.0.1:$C_PORT/blog/1/"
  log "ceiling: wrk -t$THREADS -c$CONNS -d$DURATION GET /blog/1/"
  timeout -k 5 "$LOAD_TIMEOUT" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "https://127.0.0.1:$C_PORT/blog/1/" > "$out/wrk-detail.txt" 2>&1 || true
  grep -E 'Requests/sec|50%|99%' "$out/wrk-detail.txt" >&2 || true
  stop_server
}

for part in postern reference ceiling; do
  has_part "$part" || continue
  if "run_$part"; then OK_PARTS="$OK_PARTS $part"; else
    stop_server
    log "$part: FAILED (see above and $OUTDIR/logs/); continuing with the other parts"
  fi
  sleep 2   # let the machine settle between parts
done
echo "LOADAVG_END=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUTDIR/meta.env"
echo "OK_PARTS=${OK_PARTS# }" >> "$OUTDIR/meta.env"

# ------------------------------------------------------------------ report
"$PY" - "$OUTDIR" "$REF_DIR/bench" <<'PY' > "$OUTDIR/table.md"
import json, os, sys
out, refbench = sys.argv[1], sys.argv[2]
sys.path.insert(0, refbench)
from httpload import parse_wrk   # the reference's own wrk parser

def load(*p):
    f = os.path.join(out, *p)
    try:
        return json.load(open(f))
    except (OSError, ValueError):
        return {}

meta = dict(l.rstrip("\n").split("=", 1) for l in open(os.path.join(out, "meta.env")) if "=" in l)
ok = meta.get("OK_PARTS", "").split()
P = load("postern", "summary.json") if "postern" in ok else {}
R = load("reference", "summary.json") if "reference" in ok else {}
C = {"detail": parse_wrk(os.path.join(out, "ceiling", "wrk-detail.txt"))} if "ceiling" in ok else {}
PS, RS = load("postern", "start.json"), load("reference", "start.json")
PM, RM = load("postern", "memory.json"), load("reference", "memory.json")

def g(d, *keys):
    for k in keys:
        if not isinstance(d, dict) or d.get(k) is None:
            return None
        d = d[k]
    return d

def num(v, digits=1):
    return "—" if v is None else f"{v:,.{digits}f}"

def ratio(a, b):
    if a is None or b in (None, 0):
        return "—"
    r = a / b
    return f"{r:.2f}×" if r >= 0.1 else f"{r:.2g}×"   # 0.0018× rather than 0.00×

def mib(kib):
    return None if kib is None else kib / 1024.0

def mem(m):
    if not m:
        return None, "—"
    d = mib(m["rss_after_kib"] - m["rss_before_kib"])
    txt = (f"{mib(m['rss_before_kib']):.0f} → {mib(m['rss_after_kib']):.0f} MiB "
           f"(peak {mib(m['rss_peak_kib']):.0f}; HTTP {m['status']}, {m['seconds']:.1f} s)")
    return d, txt

rows = []   # (metric, postern, reference, ceiling, numeric p, numeric r, numeric c)
def add(name, p, r, c=None, digits=1, comparable=True):
    rows.append((name, num(p, digits), num(r, digits), num(c, digits), p, r if comparable else None, c))

add(f"GET /blog/ ({g(P, 'seed', 'requests') or g(R, 'seed', 'requests')} items) req/s", g(P, "list", "rps"), g(R, "list", "rps"))
add("GET /blog/ p50 ms", g(P, "list", "p50_ms"), g(R, "list", "p50_ms"), digits=2)
add("GET /blog/ p99 ms", g(P, "list", "p99_ms"), g(R, "list", "p99_ms"), digits=2)
add("GET /blog/1/ req/s", g(P, "detail", "rps"), g(R, "detail", "rps"), g(C, "detail", "rps"))
add("GET /blog/1/ p50 ms", g(P, "detail", "p50_ms"), g(R, "detail", "p50_ms"), g(C, "detail", "p50_ms"), digits=2)
add("GET /blog/1/ p99 ms", g(P, "detail", "p99_ms"), g(R, "detail", "p99_ms"), g(C, "detail", "p99_ms"), digits=2)
add("uploads/s, curl (new TLS each)", g(P, "upload_curl", "per_s"), g(R, "upload_curl", "per_s"))
add("uploads/s, keep-alive", g(P, "upload_keepalive", "per_s"), g(R, "upload_keepalive", "per_s"))
add("start, cold ms", g(PS, "cold_ms"), g(RS, "cold_ms"), digits=0)
add("start, warm ms", g(PS, "warm_ms"), g(RS, "warm_ms"), digits=0)
pd, ptxt = mem(PM)
rd, rtxt = mem(RM)
# a ratio only when both servers stored the file and both deltas are above noise
stored = all(str(m.get("status", "")).startswith("2") for m in (PM, RM))
add(f"RSS delta, {meta.get('BIG_MIB')} MiB upload, MiB", pd, rd,
    comparable=stored and pd is not None and rd is not None and min(pd, rd) >= 1.0)

L = ["| metric | Postern | Django gunicorn | bare ceiling | Postern ÷ Django | Postern ÷ ceiling |",
     "| --- | ---: | ---: | ---: | ---: | ---: |"]
for name, p, r, c, pn, rn, cn in rows:
    L.append(f"| {name} | {p} | {r} | {c} | {ratio(pn, rn)} | {ratio(pn, cn)} |")
L.append("")
L.append(f"Memory (VmRSS, server process + its children): Postern {ptxt}; Django {rtxt}.")
errs = []
for label, s in (("Postern", P), ("Django", R)):
    for k in ("list", "detail"):
        w = s.get(k) or {}
        if w.get("non_2xx_3xx") or (w.get("socket_errors") not in (None, "none")):
            errs.append(f"{label} {k}: {w.get('non_2xx_3xx')} non-2xx, socket errors {w.get('socket_errors')}")
    for k in ("upload_curl", "upload_keepalive"):
        u = s.get(k) or {}
        if u and u.get("ok_2xx") != u.get("requests"):
            errs.append(f"{label} {k}: {u.get('ok_2xx')}/{u.get('requests')} 2xx")
    sd = s.get("seed") or {}
    if sd and sd.get("ok_2xx") != sd.get("requests"):
        errs.append(f"{label} seed: {sd.get('ok_2xx')}/{sd.get('requests')} 2xx")
w = (C.get("detail") or {})
if w.get("non_2xx_3xx") or w.get("socket_errors") not in (None, "none"):
    errs.append(f"ceiling detail: {w.get('non_2xx_3xx')} non-2xx, socket errors {w.get('socket_errors')}")
if errs:
    L.append("Errors during the run: " + "; ".join(errs) + ".")
missing = [p for p in meta.get("PARTS", "").split() if p not in ok]
if missing:
    L.append(f"Parts that failed or did not run: {', '.join(missing)}.")
L.append(f"Load average: start {meta.get('LOADAVG_START')}, end {meta.get('LOADAVG_END')}; "
         f"{meta.get('NPROC')} cores; {meta.get('SWIFT')}; commit {meta.get('GIT')}.")
print("\n".join(L))
PY
{
  echo "Run of $(sed -n 's/^DATE=//p' "$OUTDIR/meta.env"): \`$COMMAND_LINE\` (wrk -t$THREADS -c$CONNS -d$DURATION)"
  echo
  cat "$OUTDIR/table.md"
} > "$OUTDIR/result.md"
echo; cat "$OUTDIR/result.md"; echo

ALL_OK=1      # all three parts ran and succeeded
for part in postern reference ceiling; do case " $OK_PARTS " in *" $part "*) ;; *) ALL_OK=0 ;; esac; done
FAILED=0      # a part that was asked for failed
for part in $PARTS; do case " $OK_PARTS " in *" $part "*) ;; *) FAILED=1 ;; esac; done
if [ "$WRITE_README" = 1 ] || { [ "$WRITE_README" = auto ] && [ "$ALL_OK" = 1 ]; }; then
  README="$HERE/README.md"
  "$PY" "$HERE/write_section.py" "$README" "$OUTDIR/result.md" api.sh
  log "table written into $README"
else
  log "README not updated (parts ok: '${OK_PARTS# }'; WRITE_README=$WRITE_README)"
fi
log "raw results: $OUTDIR"
exit "$FAILED"
