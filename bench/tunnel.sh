#!/usr/bin/env bash
# Usage: bench/tunnel.sh
#
# The tunnel (`postern relay` + `postern share`) next to direct access and to
# OpenSSH remote forwarding, all to ONE nginx upstream on loopback, in one run:
#   http      wrk/curl → nginx (HTTP)                                    direct
#   https     wrk/curl → nginx (HTTPS, a P-256 certificate made for the run)
#   postern   wrk/curl → postern relay (HTTPS) ⇒ HTTP/2 over TLS ⇒ postern share → nginx (HTTP)
#   ssh       wrk/curl → sshd's `ssh -R` port (HTTP) ⇒ SSH ⇒ ssh → nginx (HTTP)
#   ssh-tls   wrk/curl → nginx (HTTPS, keep-alive pool) → sshd's `ssh -R` port ⇒ SSH ⇒ ssh → nginx
#             (the self-hosted equivalent of Postern's path)
# For each: wrk req/s, p50 and p99 (small responses, keep-alive; the best of
# RATE_ROUNDS runs), p50 and p99 with one connection and with CONNS paced
# connections (well below saturation), the best and median of
# DL_RUNS downloads of BIG_MB MB with curl, and the CPU each server-side
# process spent per request (/proc, user + sys). Runs and downloads go in
# rounds across the paths, so a busy moment on the machine does not fall on
# one path only; the CPU other programs took during each counted run is shown.
# Then, through Postern only, a profile of the relay and the agent (perf
# record, a separate wrk run and a separate download, so the figures above
# carry no profiler overhead) and the system calls per request (strace -c,
# another short run). Prints the tables and writes them into bench/README.md
# between the "tunnel.sh results" markers.
#
# Postern's public side routes on the Host header: wrk cannot resolve
# NAME.tunnel.localhost (glibc does not map *.localhost to loopback), so wrk
# asks https://127.0.0.1:PORT/ with `Host: NAME.tunnel.localhost`; curl, which
# resolves *.localhost itself, asks https://NAME.tunnel.localhost:PORT/.
#
# Tools (Debian packages): nginx, openssh-server (sshd), openssh-client (ssh,
# ssh-keygen), wrk, curl, openssl, python3; for the profile linux-perf (perf)
# and strace, optional. The script starts its own nginx and sshd with configs
# in a temporary directory (nothing in /etc is used or changed; as root it
# creates sshd's privilege-separation directory /run/sshd when missing).
# Traffic stays on 127.0.0.1.
#
# Environment (defaults):
#   PORT=28460                  uses PORT..PORT+9: nginx http, nginx https, relay public,
#                               relay agents, sshd, ssh -R port, nginx TLS front, (spare), nio-floor (TLS, plain)
#   PATHS="http https postern ssh ssh-tls"   which paths to measure (all start anyway)
#   DURATION=10s THREADS=2 CONNS=16          the main wrk run (`wrk --latency`)
#   RATE_ROUNDS=2               rounds of the main wrk run (one per path each round; the best round counts)
#   LAT_DURATION=5s             a second wrk run with one connection (-t1 -c1); 0: skip
#   PACE_MS=8                   a third wrk run (LAT_DURATION long): CONNS connections that each wait a random
#                               0–2×PACE_MS ms after every answer, so the load stays well below what any path can carry
#                               and the p50 shows the latency a path adds, not a queue; 0: skip
#   BIG_MB=100 DL_RUNS=5        download size (MB = 10^6 bytes) and rounds (one download per path
#                               each round; the best and the median are shown)
#   SMALL_BODY="tunnel bench"   the small response (plus a newline: 13 bytes)
#   NGINX_WORKERS=auto          worker_processes of both nginx instances
#   FRONT_PROXY="proxy_max_temp_file_size 0;"  more directives for the TLS front's proxy location
#   SSH_CIPHER=                 e.g. aes128-gcm@openssh.com (default: ssh's own choice)
#   PROFILE=auto                auto: perf profile when `perf` can sample; 1: required; 0: skip
#   STRACE=auto                 auto: syscalls per request when strace exists; 0: skip
#   SCRATCH_PATH=.build-static  scratch path of scripts/build-release (the binary one ships)
#   SKIP_BUILD=0                1: use $SCRATCH_PATH/release/postern as it is
#   POSTERN_BIN=                use this binary (implies no build)
#   START_TIMEOUT=30 STOP_TIMEOUT=10  seconds
#   OUTDIR=                     raw results (default: a new mktemp -d directory, kept)
#   WRITE_README=auto           auto: only when every path of the default PATHS succeeded; 1: always; 0: never
#
# Every wait is bounded; every process started here is stopped by its PID on exit.
set -euo pipefail

COMMAND_LINE=""   # the variables the caller set that change the workload, then the command
for v in PORT PATHS DURATION THREADS CONNS RATE_ROUNDS LAT_DURATION PACE_MS BIG_MB DL_RUNS NGINX_WORKERS FRONT_PROXY SSH_CIPHER PROFILE STRACE \
         SKIP_BUILD SCRATCH_PATH POSTERN_BIN; do
  if [ -n "${!v:-}" ]; then
    case "${!v}" in *" "*) COMMAND_LINE+="$v='${!v}' " ;; *) COMMAND_LINE+="$v=${!v} " ;; esac
  fi
done
COMMAND_LINE+="bench/tunnel.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
PKG=$(cd "$HERE/.." && pwd)
ALL_PATHS="http https postern ssh ssh-tls"
PATHS=${PATHS:-$ALL_PATHS}
PORT=${PORT:-28460}
UP_HTTP=$PORT; UP_HTTPS=$((PORT + 1)); RELAY_PUBLIC=$((PORT + 2)); RELAY_AGENTS=$((PORT + 3))
SSHD_PORT=$((PORT + 4)); SSH_R_PORT=$((PORT + 5)); FRONT_PORT=$((PORT + 6)); FLOOR_PORT=$((PORT + 8)); FLOOR_PLAIN_PORT=$((PORT + 9))
DURATION=${DURATION:-10s}; THREADS=${THREADS:-2}; CONNS=${CONNS:-16}
LAT_DURATION=${LAT_DURATION:-5s}
PACE_MS=${PACE_MS:-8}
RATE_ROUNDS=${RATE_ROUNDS:-2}
BIG_MB=${BIG_MB:-100}; DL_RUNS=${DL_RUNS:-5}
SMALL_BODY=${SMALL_BODY:-tunnel bench}
NGINX_WORKERS=${NGINX_WORKERS:-auto}
FRONT_PROXY=${FRONT_PROXY:-proxy_max_temp_file_size 0;}
PROFILE=${PROFILE:-auto}; STRACE=${STRACE:-auto}
START_TIMEOUT=${START_TIMEOUT:-30}; STOP_TIMEOUT=${STOP_TIMEOUT:-10}
WRITE_README=${WRITE_README:-auto}
SCRATCH_PATH=${SCRATCH_PATH:-$PKG/.build-static}
TUNNEL_NAME=bench
DOMAIN=tunnel.localhost
PY=python3

OUTDIR=${OUTDIR:-$(mktemp -d /tmp/postern-tunnel-bench.XXXXXX)}
mkdir -p "$OUTDIR"/logs
OUTDIR=$(cd "$OUTDIR" && pwd)
WORK=$(mktemp -d /tmp/postern-tunnel-work.XXXXXX)   # configs, keys, certificates, the big file
chmod 755 "$WORK"

log() { echo "[tunnel.sh $(date +%H:%M:%S)] $*" >&2; }
die() { echo "tunnel.sh: $*" >&2; exit 1; }
has_path() { case " $PATHS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# ---------------------------------------------------------------- processes
PIDS=()   # every long-running process started here, in start order
declare -A PID_OF=() REAPED=()
started() { PIDS+=("$2"); PID_OF[$1]=$2; }
reaped() { local p; for p in "$@"; do REAPED[$p]=1; done; }   # waited for: the PID may belong to another process now

# descendants PID -> PID and every process below it, one a line
descendants() {
  ps -e -o pid=,ppid= | awk -v root="$1" '
    { parent[$1] = $2; pids[NR] = $1 }
    END {
      keep[root] = 1; print root
      for (changed = 1; changed; ) {
        changed = 0
        for (i in pids) { p = pids[i]; if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; print p; changed = 1 } }
      }
    }'
}

. "$HERE/processes.sh"

cleanup() {
  local i pid kids
  trap - EXIT INT TERM
  # newest first: the clients (share, ssh) before the servers they talk to
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid=${PIDS[$i]}
    [ -z "${REAPED[$pid]:-}" ] || continue
    # still our child? (an exited child's PID may have been given to another program)
    [ "$(ps -o ppid= -p "$pid" 2>/dev/null | tr -d ' ')" = "$$" ] || continue
    kids=$(descendants "$pid" 2>/dev/null | tail -n +2 || true)   # sshd's session processes, nginx's workers
    stop_pid "$pid"
    for k in $kids; do kill -0 "$k" 2>/dev/null && kill -TERM "$k" 2>/dev/null || true; done
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_port PORT NAME PID LOGFILE: until something listens on 127.0.0.1:PORT
wait_port() {
  local port=$1 name=$2 pid=$3 logf=$4 i
  for i in $(seq 1 $((START_TIMEOUT * 20))); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "tunnel.sh: $name (pid $pid) exited before listening on $port; its output:" >&2
      tail -n 30 "$logf" >&2; return 1
    fi
    sleep 0.05
  done
  echo "tunnel.sh: $name did not listen on 127.0.0.1:$port within ${START_TIMEOUT}s; its output:" >&2
  tail -n 30 "$logf" >&2
  return 1
}

# ------------------------------------------------------------------ checks
need() { # TOOL PACKAGE
  command -v "$1" >/dev/null 2>&1 || die "$1 not found: apt-get install $2"
}
need nginx nginx
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$SSHD" ] || die "sshd not found: apt-get install openssh-server"
need ssh openssh-client; need ssh-keygen openssh-client
need wrk wrk; need curl curl; need openssl openssl; need "$PY" python3
need ps procps; need timeout coreutils; need truncate coreutils
for p in $(seq "$PORT" $((PORT + 9))); do
  port_free "$p" || die "port $p on 127.0.0.1 is in use; set PORT (uses PORT..PORT+7)"
done
for p in $PATHS; do case " $ALL_PATHS " in *" $p "*) ;; *) die "unknown path '$p' in PATHS (known: $ALL_PATHS)" ;; esac; done

PERF_OK=0
if [ "$PROFILE" != 0 ]; then
  if command -v perf >/dev/null 2>&1 && perf record -q -e cpu-clock -o "$WORK/perf-check.data" -- true >/dev/null 2>&1; then
    PERF_OK=1
  elif [ "$PROFILE" = 1 ]; then
    die "perf cannot sample here (apt-get install linux-perf; as non-root: sysctl kernel.perf_event_paranoid=1)"
  else
    log "no profile: perf missing or not allowed to sample (apt-get install linux-perf)"
  fi
fi
STRACE_OK=0
if [ "$STRACE" != 0 ]; then
  if command -v strace >/dev/null 2>&1; then STRACE_OK=1; else log "no syscall counts: apt-get install strace"; fi
fi

# ------------------------------------------------------------------- build
if [ -z "${POSTERN_BIN:-}" ]; then
  if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "scripts/build-release (scratch path $SCRATCH_PATH)"
    SCRATCH_PATH="$SCRATCH_PATH" "$PKG/scripts/build-release" > "$OUTDIR/logs/build-postern.log" 2>&1 \
      || { tail -n 40 "$OUTDIR/logs/build-postern.log" >&2; die "building postern failed (log: $OUTDIR/logs/build-postern.log)"; }
  fi
  POSTERN_BIN="$SCRATCH_PATH/release/postern"
fi
# bench/nio-floor, the least SwiftNIO spends on a request: built next to postern, measured when it builds.
FLOOR_BIN="$SCRATCH_PATH/release/nio-floor"
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -x "$FLOOR_BIN" ]; then
  log "building bench/nio-floor"
  (cd "$PKG" && swift build -c release --static-swift-stdlib --product nio-floor --scratch-path "$SCRATCH_PATH") \
    > "$OUTDIR/logs/build-nio-floor.log" 2>&1 || { log "building nio-floor failed (log: $OUTDIR/logs/build-nio-floor.log)"; FLOOR_BIN=; }
fi
case "$POSTERN_BIN" in /*) ;; *) POSTERN_BIN="$PWD/$POSTERN_BIN" ;; esac
[ -x "$POSTERN_BIN" ] || die "$POSTERN_BIN not found (build it, or unset SKIP_BUILD)"

log "results in $OUTDIR (kept), scratch in $WORK (removed at exit)"
{
  echo "DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)"; echo "COMMAND=$COMMAND_LINE"
  echo "NPROC=$(nproc)"; echo "CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
  git_desc=$(git -C "$PKG" rev-parse --short HEAD 2>/dev/null || echo none)
  [ -n "$(git -C "$PKG" status --porcelain -- Sources Package.swift 2>/dev/null)" ] && git_desc="$git_desc+changes"
  echo "GIT=$git_desc"
  echo "POSTERN_BIN=$POSTERN_BIN"
  echo "POSTERN_BIN_TIME=$(date -u -r "$POSTERN_BIN" +%Y-%m-%dT%H:%M:%SZ)"
  # A binary older than the last commit that changed Sources/ was not built from HEAD: name the
  # newest commit older than the binary (what it was presumably built from).
  bin_time=$(date -r "$POSTERN_BIN" +%s)
  src_time=$(git -C "$PKG" log -1 --format=%ct -- Sources Package.swift Package.resolved 2>/dev/null || echo 0)
  if [ "${src_time:-0}" -gt "$bin_time" ]; then
    echo "POSTERN_BIN_NOTE=older than the last commit that changed Sources/ ($(git -C "$PKG" log -1 --format=%h -- Sources Package.swift Package.resolved)); HEAD when it was built: $(git -C "$PKG" log -1 --before="@$bin_time" --format=%h 2>/dev/null || echo unknown)"
  fi
  echo "NGINX=$(nginx -v 2>&1 | sed 's/^nginx version: //')"
  echo "OPENSSH=$(ssh -V 2>&1 | cut -d, -f1)"
  echo "WRK=$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo "LOADAVG_START=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "DURATION=$DURATION"; echo "THREADS=$THREADS"; echo "CONNS=$CONNS"; echo "LAT_DURATION=$LAT_DURATION"; echo "PACE_MS=$PACE_MS"; echo "RATE_ROUNDS=$RATE_ROUNDS"
  echo "BIG_MB=$BIG_MB"; echo "DL_RUNS=$DL_RUNS"; echo "PATHS=$PATHS"; echo "NGINX_WORKERS=$NGINX_WORKERS"
} > "$OUTDIR/meta.env"

# ------------------------------------------------------------------- files
SMALL_BYTES=$(( ${#SMALL_BODY} + 1 ))
mkdir -p "$WORK/www" "$WORK/tls"
truncate -s $((BIG_MB * 1000 * 1000)) "$WORK/www/big"
# nginx's certificate: self-signed P-256 for localhost and 127.0.0.1 (also the trust anchor for curl)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -addext "basicConstraints=critical,CA:TRUE" \
  -keyout "$WORK/tls/key.pem" -out "$WORK/tls/cert.pem" > "$OUTDIR/logs/openssl.log" 2>&1 \
  || { cat "$OUTDIR/logs/openssl.log" >&2; die "openssl could not make nginx's certificate"; }
NGINX_CA="$WORK/tls/cert.pem"

# ------------------------------------------------------------------- nginx
nginx_conf() { # NAME SERVER-BLOCKS -> path of the config; prefix WORK/NAME
  local dir="$WORK/$1"
  mkdir -p "$dir/logs" "$dir/tmp"
  cat > "$dir/nginx.conf" <<EOF
worker_processes $NGINX_WORKERS;
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  ssl_protocols TLSv1.2 TLSv1.3;
$2
}
EOF
  echo "$dir/nginx.conf"
}
start_nginx() { # NAME CONF PORT
  nginx -t -p "$WORK/$1" -e "$WORK/$1/logs/error.log" -c "$2" > "$OUTDIR/logs/nginx-$1-test.log" 2>&1 \
    || { cat "$OUTDIR/logs/nginx-$1-test.log" >&2; die "nginx ($1) rejects its config $2"; }
  nginx -p "$WORK/$1" -e "$WORK/$1/logs/error.log" -c "$2" > "$OUTDIR/logs/nginx-$1.log" 2>&1 &
  started "nginx-$1" $!
  wait_port "$3" "nginx ($1)" $! "$WORK/$1/logs/error.log" || die "nginx ($1) did not start"
}

UP_CONF=$(nginx_conf upstream "  server {
    listen 127.0.0.1:$UP_HTTP;
    listen 127.0.0.1:$UP_HTTPS ssl;
    ssl_certificate $WORK/tls/cert.pem;
    ssl_certificate_key $WORK/tls/key.pem;
    root $WORK/www;
    location = /small { default_type text/plain; return 200 \"$SMALL_BODY\\n\"; }
    location = /big { default_type application/octet-stream; }
  }")
log "nginx upstream on 127.0.0.1:$UP_HTTP (HTTP) and :$UP_HTTPS (HTTPS)"
start_nginx upstream "$UP_CONF" "$UP_HTTP"

# -------------------------------------------------------------- ssh -R
mkdir -p "$WORK/ssh"
chmod 700 "$WORK/ssh"
ssh-keygen -q -t ed25519 -N '' -C postern-bench-host -f "$WORK/ssh/host_ed25519"
ssh-keygen -q -t ed25519 -N '' -C postern-bench-client -f "$WORK/ssh/client_ed25519"
cp "$WORK/ssh/client_ed25519.pub" "$WORK/ssh/authorized_keys"
cat > "$WORK/ssh/sshd_config" <<EOF
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $WORK/ssh/host_ed25519
PidFile $WORK/ssh/sshd.pid
AuthorizedKeysFile $WORK/ssh/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding remote
GatewayPorts no
X11Forwarding no
PermitTTY no
PrintMotd no
LogLevel ERROR
EOF
if [ ! -d /run/sshd ]; then
  if [ "$(id -u)" = 0 ]; then mkdir -p /run/sshd && chmod 755 /run/sshd
  else die "/run/sshd (sshd's privilege-separation directory) is missing; create it as root"; fi
fi
"$SSHD" -t -f "$WORK/ssh/sshd_config" > "$OUTDIR/logs/sshd-test.log" 2>&1 \
  || { cat "$OUTDIR/logs/sshd-test.log" >&2; die "sshd rejects its config"; }
log "sshd on 127.0.0.1:$SSHD_PORT; ssh -R 127.0.0.1:$SSH_R_PORT → 127.0.0.1:$UP_HTTP"
"$SSHD" -D -e -f "$WORK/ssh/sshd_config" > "$OUTDIR/logs/sshd.log" 2>&1 &
started sshd $!
wait_port "$SSHD_PORT" sshd $! "$OUTDIR/logs/sshd.log" || die "sshd did not start"
CIPHER_OPT=(); [ -n "${SSH_CIPHER:-}" ] && CIPHER_OPT=(-c "$SSH_CIPHER")
ssh -F /dev/null -N -p "$SSHD_PORT" -i "$WORK/ssh/client_ed25519" "${CIPHER_OPT[@]}" \
  -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile="$WORK/ssh/known_hosts" \
  -o ExitOnForwardFailure=yes -o ServerAliveInterval=0 \
  -R "127.0.0.1:$SSH_R_PORT:127.0.0.1:$UP_HTTP" "$(id -un)@127.0.0.1" > "$OUTDIR/logs/ssh.log" 2>&1 &
started ssh $!
wait_port "$SSH_R_PORT" "ssh -R" $! "$OUTDIR/logs/ssh.log" || die "ssh -R did not open 127.0.0.1:$SSH_R_PORT"
{ ssh -F /dev/null -G -p "$SSHD_PORT" "${CIPHER_OPT[@]}" 127.0.0.1 2>/dev/null | awk '$1 == "ciphers" {print "SSH_CIPHERS=" $2}'; } >> "$OUTDIR/meta.env" || true

FRONT_CONF=$(nginx_conf front "  upstream ssh_r {
    server 127.0.0.1:$SSH_R_PORT;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$FRONT_PORT ssl;
    ssl_certificate $WORK/tls/cert.pem;
    ssl_certificate_key $WORK/tls/key.pem;
    location / {
      proxy_pass http://ssh_r;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_set_header X-Forwarded-Proto https;
      $FRONT_PROXY
    }
  }")
log "nginx TLS front on 127.0.0.1:$FRONT_PORT → 127.0.0.1:$SSH_R_PORT"
start_nginx front "$FRONT_CONF" "$FRONT_PORT"

# ----------------------------------------------------------------- postern
RELAY_HOME="$WORK/relay-home"
TOKEN=$("$POSTERN_BIN" relay token create bench --home "$RELAY_HOME" 2> "$OUTDIR/logs/token.log" | tail -n 1) \
  || { cat "$OUTDIR/logs/token.log" >&2; die "postern relay token create failed"; }
[ -n "$TOKEN" ] || die "postern relay token create printed no token"
log "postern relay on 127.0.0.1:$RELAY_PUBLIC (agents :$RELAY_AGENTS); postern share http://127.0.0.1:$UP_HTTP"
"$POSTERN_BIN" relay --domain "$DOMAIN" --host 127.0.0.1 --port "$RELAY_PUBLIC" --http-port 0 \
  --agent-port "$RELAY_AGENTS" --admin-port 0 --home "$RELAY_HOME" --rate-limit 0 > "$OUTDIR/logs/relay.log" 2>&1 &
started relay $!
wait_port "$RELAY_AGENTS" "postern relay" $! "$OUTDIR/logs/relay.log" || die "postern relay did not start"
RELAY_CA="$RELAY_HOME/ca/rootCA.pem"
[ -r "$RELAY_CA" ] || die "the relay runs but $RELAY_CA does not exist"
"$POSTERN_BIN" share "http://127.0.0.1:$UP_HTTP" --relay "127.0.0.1:$RELAY_AGENTS" --token "$TOKEN" \
  --subdomain "$TUNNEL_NAME" --relay-ca "$RELAY_CA" --inspect-port 0 > "$OUTDIR/logs/share.log" 2>&1 &
started share $!
PUBLIC="https://$TUNNEL_NAME.$DOMAIN:$RELAY_PUBLIC"
for _ in $(seq 1 $((START_TIMEOUT * 10))); do
  grep -qx "$PUBLIC/" "$OUTDIR/logs/share.log" && break
  kill -0 "${PID_OF[share]}" 2>/dev/null || { cat "$OUTDIR/logs/share.log" >&2; die "postern share exited"; }
  sleep 0.1
done
grep -qx "$PUBLIC/" "$OUTDIR/logs/share.log" || { cat "$OUTDIR/logs/share.log" >&2; die "postern share did not print $PUBLIC/ within ${START_TIMEOUT}s"; }

# ----------------------------------------------------------- path settings
# Per path: the URL base wrk uses, the Host header wrk sends, curl's base and options.
declare -A WRK_BASE WRK_HOST CURL_BASE CURL_OPTS
WRK_BASE[http]="http://127.0.0.1:$UP_HTTP";       CURL_BASE[http]=${WRK_BASE[http]};     CURL_OPTS[http]=""
WRK_BASE[https]="https://127.0.0.1:$UP_HTTPS";    CURL_BASE[https]="https://localhost:$UP_HTTPS"; CURL_OPTS[https]="--cacert $NGINX_CA"
WRK_BASE[postern]="https://127.0.0.1:$RELAY_PUBLIC"; WRK_HOST[postern]="$TUNNEL_NAME.$DOMAIN"
# The relay offers HTTP/2 too (ALPN), which curl would pick; the table's downloads go over
# HTTP/1.1 like every other path (the nginx TLS front speaks HTTP/1.1), and each round adds
# one HTTP/2 download through Postern, reported on a line of its own.
CURL_BASE[postern]=$PUBLIC;                        CURL_OPTS[postern]="--http1.1 --cacert $RELAY_CA"
WRK_BASE[ssh]="http://127.0.0.1:$SSH_R_PORT";     CURL_BASE[ssh]=${WRK_BASE[ssh]};       CURL_OPTS[ssh]=""
WRK_BASE[ssh-tls]="https://127.0.0.1:$FRONT_PORT"; CURL_BASE[ssh-tls]="https://localhost:$FRONT_PORT"; CURL_OPTS[ssh-tls]="--cacert $NGINX_CA"

CLK_TCK=$(getconf CLK_TCK)
# cpu_ticks PROCESS-NAME -> "user sys" clock ticks of that process and its descendants
cpu_ticks() {
  local pid=${PID_OF[$1]} p u=0 s=0 fields
  for p in $(descendants "$pid"); do
    fields=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null) || continue
    set -- $fields   # after the comm: state is $1, utime is $12, stime $13
    u=$((u + ${12})); s=$((s + ${13}))
  done
  echo "$u $s"
}
# thread_ticks PROCESS-NAME -> one line per thread: "name user sys"
thread_ticks() {
  local pid=${PID_OF[$1]} t name fields
  for t in /proc/"$pid"/task/*; do
    name=$(tr ' ' '_' < "$t/comm" 2>/dev/null) || continue
    fields=$(sed 's/^.*) //' "$t/stat" 2>/dev/null) || continue
    set -- $fields
    echo "$name ${12} ${13}"
  done
}
# snapshot FILE: ticks of every process started here and of postern's threads;
# the machine's busy ticks (/proc/stat) and this shell's reaped children
# (wrk, curl) in seconds, to tell how much of the CPU other programs took.
snapshot() {
  local n
  {
    for n in nginx-upstream nginx-front sshd ssh relay share nio-floor; do [ -n "${PID_OF[$n]:-}" ] && echo "proc $n $(cpu_ticks "$n")"; done
    for n in relay share; do thread_ticks "$n" | sed "s/^/thread $n /"; done
    echo "machine $(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat)"
    times > "$WORK/times.txt"   # the shell's own children, in this shell (a pipe would run it in a subshell)
    echo "children $(tail -n 1 "$WORK/times.txt")"
    echo "wall $(date +%s%N)"
  } > "$1"
}

check_path() { # PATH: one small request and its body, through curl
  local p=$1 body code
  # shellcheck disable=SC2086
  body=$(curl -sS --max-time 10 ${CURL_OPTS[$p]} "${CURL_BASE[$p]}/small") || { echo "tunnel.sh: $p: GET ${CURL_BASE[$p]}/small failed" >&2; return 1; }
  [ "$body" = "$SMALL_BODY" ] || { echo "tunnel.sh: $p: GET /small answered '$body', not '$SMALL_BODY'" >&2; return 1; }
  if [ -n "${WRK_HOST[$p]:-}" ]; then   # what wrk will send: the IP address in the URL, the name in Host
    code=$(curl -sS -k --max-time 10 -o /dev/null -w '%{http_code}' -H "Host: ${WRK_HOST[$p]}" "${WRK_BASE[$p]}/small") || code=000
    [ "$code" = 200 ] || { echo "tunnel.sh: $p: ${WRK_BASE[$p]}/small with Host ${WRK_HOST[$p]} answered $code" >&2; return 1; }
  fi
}

run_wrk() { # PATH OUTFILE wrk-args...
  local p=$1 out=$2; shift 2
  local host=(); [ -n "${WRK_HOST[$p]:-}" ] && host=(-H "Host: ${WRK_HOST[$p]}")
  timeout -k 5 300 wrk "$@" --latency "${host[@]}" "${WRK_BASE[$p]}/small" > "$out" 2>&1 \
    || { cat "$out" >&2; echo "tunnel.sh: $p: wrk failed" >&2; return 1; }
}

prepare_path() { # PATH: check it answers, warm it up (connections, nginx's pool to the ssh -R port, HTTP/2 windows)
  local p=$1
  mkdir -p "$OUTDIR/$p"
  check_path "$p" || return 1
  run_wrk "$p" "$OUTDIR/$p/wrk-warmup.txt" -t"$THREADS" -c"$CONNS" -d2s
}

rate_round() { # PATH ROUND: the main wrk run, with CPU snapshots around it
  local p=$1 r=$2 out="$OUTDIR/$1"
  log "$p (round $r): wrk -t$THREADS -c$CONNS -d$DURATION ${WRK_BASE[$p]}/small${WRK_HOST[$p]:+ (Host: ${WRK_HOST[$p]})}"
  snapshot "$out/cpu-before-r$r.txt"
  run_wrk "$p" "$out/wrk-r$r.txt" -t"$THREADS" -c"$CONNS" -d"$DURATION" || return 1
  snapshot "$out/cpu-after-r$r.txt"
  grep -E 'Requests/sec|^ +50%|^ +99%|Non-2xx|Socket errors' "$out/wrk-r$r.txt" | sed "s/^/  $p: /" >&2 || true
}

download() { # PATH [FILE [CURL OPTIONS…]]: one download of /big, appended to PATH/FILE (download.txt)
  local p=$1 file=${2:-download.txt}
  shift $(( $# < 2 ? $# : 2 ))
  # shellcheck disable=SC2086
  curl -sS --max-time 300 ${CURL_OPTS[$p]} "$@" -o /dev/null -w '%{http_code} %{size_download} %{speed_download} %{time_total}\n' \
    "${CURL_BASE[$p]}/big" >> "$OUTDIR/$p/$file" 2>> "$OUTDIR/$p/download.err" || echo "000 0 0 0" >> "$OUTDIR/$p/$file"
}

OK_PATHS=""
for p in $ALL_PATHS; do
  has_path "$p" || continue
  if prepare_path "$p"; then OK_PATHS="$OK_PATHS $p"; else log "$p: FAILED (see above and $OUTDIR)"; fi
done
# The main wrk runs in rounds, one per path each round (the best round counts),
# so that a busy moment on the machine does not fall on one path only.
drop_path() { OK_PATHS=$(echo " $OK_PATHS " | sed "s/ $1 / /; s/^ *//; s/ *\$//"); log "$1: FAILED (see above and $OUTDIR)"; }
for r in $(seq 1 "$RATE_ROUNDS"); do
  for p in $OK_PATHS; do
    sleep 1   # let the machine settle between runs
    rate_round "$p" "$r" || drop_path "$p"
  done
done
# The floor under Postern's figures: the relay answering requests itself (its 404 page for a
# host that is no tunnel name) over the same TLS and HTTP/1.1 public side, no agent involved.
case " $OK_PATHS " in *" postern "*)
  mkdir -p "$OUTDIR/relay-own"
  log "relay's own answers: wrk -t$THREADS -c$CONNS -d$DURATION (Host: not.a-tunnel.$DOMAIN, a 404 from the relay)"
  snapshot "$OUTDIR/relay-own/cpu-before.txt"
  timeout -k 5 300 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -H "Host: not.a-tunnel.$DOMAIN" "${WRK_BASE[postern]}/small" \
    > "$OUTDIR/relay-own/wrk.txt" 2>&1 || log "relay's own answers: wrk failed (see $OUTDIR/relay-own/wrk.txt)"
  snapshot "$OUTDIR/relay-own/cpu-after.txt"
  # The same over HTTP/2: one connection carrying $CONNS streams at once, each a stream channel
  # with its HTTP/1 codec — what each end of an agent link does for every request it carries.
  if command -v h2load >/dev/null 2>&1; then
    log "relay's own answers over HTTP/2: h2load -D $DURATION -c1 -m$CONNS"
    snapshot "$OUTDIR/relay-own/cpu-before-h2.txt"
    timeout -k 5 300 h2load -D "$DURATION" -c1 -m"$CONNS" -t1 --connect-to="127.0.0.1:$RELAY_PUBLIC" \
      "https://not.a-tunnel.$DOMAIN:$RELAY_PUBLIC/small" > "$OUTDIR/relay-own/h2load.txt" 2>&1 \
      || log "relay's own answers over HTTP/2: h2load failed (see $OUTDIR/relay-own/h2load.txt)"
    snapshot "$OUTDIR/relay-own/cpu-after-h2.txt"
  else
    log "no HTTP/2 floor: apt-get install nghttp2-client (h2load)"
  fi
  ;;
esac
# The least SwiftNIO spends on a request (bench/nio-floor: TLS, HTTP/1.1 or HTTP/2, a fixed answer),
# with the same certificate as the direct HTTPS path.
if [ -n "$FLOOR_BIN" ] && [ -x "$FLOOR_BIN" ]; then
  mkdir -p "$OUTDIR/nio-floor"
  "$FLOOR_BIN" --port "$FLOOR_PORT" --cert "$WORK/tls/cert.pem" --key "$WORK/tls/key.pem" --plain-port "$FLOOR_PLAIN_PORT" \
    > "$OUTDIR/logs/nio-floor.log" 2>&1 &
  started nio-floor $!
  if wait_port "$FLOOR_PORT" "nio-floor" $! "$OUTDIR/logs/nio-floor.log"; then
    log "nio-floor: wrk -t$THREADS -c$CONNS -d$DURATION"
    snapshot "$OUTDIR/nio-floor/cpu-before.txt"
    timeout -k 5 300 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "https://127.0.0.1:$FLOOR_PORT/small" > "$OUTDIR/nio-floor/wrk.txt" 2>&1 || true
    snapshot "$OUTDIR/nio-floor/cpu-after.txt"
    log "nio-floor without TLS: wrk -t$THREADS -c$CONNS -d$DURATION"
    snapshot "$OUTDIR/nio-floor/cpu-before-plain.txt"
    timeout -k 5 300 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "http://127.0.0.1:$FLOOR_PLAIN_PORT/small" > "$OUTDIR/nio-floor/wrk-plain.txt" 2>&1 || true
    snapshot "$OUTDIR/nio-floor/cpu-after-plain.txt"
    if command -v h2load >/dev/null 2>&1; then
      log "nio-floor: h2load -D $DURATION -c1 -m$CONNS"
      snapshot "$OUTDIR/nio-floor/cpu-before-h2.txt"
      timeout -k 5 300 h2load -D "$DURATION" -c1 -m"$CONNS" -t1 "https://127.0.0.1:$FLOOR_PORT/small" > "$OUTDIR/nio-floor/h2load.txt" 2>&1 || true
      snapshot "$OUTDIR/nio-floor/cpu-after-h2.txt"
    fi
  fi
  stop_pid "${PID_OF[nio-floor]}"; reaped "${PID_OF[nio-floor]}"
fi
if [ "$LAT_DURATION" != 0 ]; then
  for p in $OK_PATHS; do
    log "$p: wrk -t1 -c1 -d$LAT_DURATION (latency without queueing)"
    run_wrk "$p" "$OUTDIR/$p/wrk-c1.txt" -t1 -c1 -d"$LAT_DURATION" || drop_path "$p"
  done
  if [ "$PACE_MS" != 0 ]; then
    # wrk waits delay() ms before a connection's next request; a random pause (0 to 2×PACE_MS) keeps the
    # connections from falling into step and arriving as one burst after every pause.
    printf 'function delay() return math.random(0, %s) end\n' "$((2 * PACE_MS))" > "$WORK/pace.lua"
    for p in $OK_PATHS; do
      log "$p: wrk -t$THREADS -c$CONNS -d$LAT_DURATION, each connection pausing ${PACE_MS} ms after every answer (latency below saturation)"
      run_wrk "$p" "$OUTDIR/$p/wrk-paced.txt" -t"$THREADS" -c"$CONNS" -d"$LAT_DURATION" -s "$WORK/pace.lua" || drop_path "$p"
    done
  fi
fi
# Downloads in rounds, one per path each round, so that a busy moment on the
# machine does not fall on one path's downloads only.
log "downloads: $DL_RUNS rounds of $BIG_MB MB through each path"
for p in $OK_PATHS; do : > "$OUTDIR/$p/download.txt"; : > "$OUTDIR/$p/download-h2.txt"; done
snapshot "$OUTDIR/cpu-before-downloads.txt"
for i in $(seq 1 "$DL_RUNS"); do
  for p in $OK_PATHS; do download "$p"; done
done
snapshot "$OUTDIR/cpu-after-downloads.txt"
# HTTP/2 through Postern (what browsers and curl get by default), after the timed rounds.
case " $OK_PATHS " in *" postern "*) for i in $(seq 1 "$DL_RUNS"); do download postern download-h2.txt --http2; done ;; esac
for p in $OK_PATHS; do
  sed "s/^/  $p: download (code bytes bytes\/s s): /" "$OUTDIR/$p/download.txt" >&2
done

# ----------------------------------------------------------------- profile
# A separate wrk run and a separate download through Postern, perf recording
# the relay and the agent (cpu-clock, 999 Hz, call graphs by frame pointers).
profile_run() { # KIND (rate|download)
  local kind=$1 out="$OUTDIR/profile" pr ps
  mkdir -p "$out"
  perf record -q -e cpu-clock -F 999 -g -p "${PID_OF[relay]}" -o "$out/relay-$kind.data" > "$out/perf-relay-$kind.log" 2>&1 &
  pr=$!; started "perf-relay-$kind" "$pr"
  perf record -q -e cpu-clock -F 999 -g -p "${PID_OF[share]}" -o "$out/agent-$kind.data" > "$out/perf-agent-$kind.log" 2>&1 &
  ps=$!; started "perf-agent-$kind" "$ps"
  sleep 1
  if [ "$kind" = rate ]; then
    run_wrk postern "$out/wrk-under-perf.txt" -t"$THREADS" -c"$CONNS" -d"$DURATION" || true
  else
    # shellcheck disable=SC2086
    curl -sS --max-time 120 ${CURL_OPTS[postern]} -o /dev/null -w '%{speed_download}\n' "$PUBLIC/big" > "$out/download-under-perf.txt" 2>&1 || true
  fi
  kill -INT "$pr" "$ps" 2>/dev/null || true
  wait "$pr" "$ps" || true
  reaped "$pr" "$ps"
  for who in relay agent; do
    perf script -i "$out/$who-$kind.data" -F tid,ip,sym,dso > "$out/$who-$kind.script" 2> /dev/null || true
    gzip -f "$out/$who-$kind.data" 2>/dev/null || true
  done
}
if [ "$PERF_OK" = 1 ] && case " $OK_PATHS " in *" postern "*) true ;; *) false ;; esac; then
  log "profile: perf record on the relay (pid ${PID_OF[relay]}) and the agent (pid ${PID_OF[share]}) during wrk, then during a download"
  command -v swift-demangle >/dev/null 2>&1 || log "swift-demangle not found (it comes with the Swift toolchain): Swift symbols stay mangled"
  profile_run rate
  profile_run download
fi

# syscalls per request: strace -c on each process during a short wrk run (strace slows them; the counts hold)
if [ "$STRACE_OK" = 1 ] && case " $OK_PATHS " in *" postern "*) true ;; *) false ;; esac; then
  log "strace -c -f on the relay and the agent during wrk -t1 -c4 -d3s"
  mkdir -p "$OUTDIR/strace"
  timeout -s INT 8 strace -c -f -p "${PID_OF[relay]}" -o "$OUTDIR/strace/relay.txt" > /dev/null 2>&1 &
  sr=$!; started strace-relay "$sr"
  timeout -s INT 8 strace -c -f -p "${PID_OF[share]}" -o "$OUTDIR/strace/agent.txt" > /dev/null 2>&1 &
  sa=$!; started strace-agent "$sa"
  sleep 1
  run_wrk postern "$OUTDIR/strace/wrk.txt" -t1 -c4 -d3s || true
  wait "$sr" "$sa" || true
  reaped "$sr" "$sa"
fi

echo "LOADAVG_END=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUTDIR/meta.env"
echo "OK_PATHS=${OK_PATHS# }" >> "$OUTDIR/meta.env"
echo "CLK_TCK=$CLK_TCK" >> "$OUTDIR/meta.env"
echo "SMALL_BYTES=$SMALL_BYTES" >> "$OUTDIR/meta.env"

# ------------------------------------------------------------------ report
"$PY" - "$OUTDIR" <<'PY' > "$OUTDIR/table.md"
import os, re, sys
from collections import Counter, defaultdict

out = sys.argv[1]
meta = dict(l.rstrip("\n").split("=", 1) for l in open(os.path.join(out, "meta.env")) if "=" in l)
ok = meta.get("OK_PATHS", "").split()
tck = int(meta.get("CLK_TCK", "100"))
NAMES = {"http": "direct HTTP", "https": "direct HTTPS", "postern": "Postern relay + share",
         "ssh": "ssh -R (plain HTTP)", "ssh-tls": "nginx TLS → ssh -R"}
ORDER = ["http", "https", "postern", "ssh", "ssh-tls"]

def ms(v, unit):
    return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

def parse_wrk(path):
    r = {}
    try:
        text = open(path).read()
    except OSError:
        return r
    m = re.search(r"Requests/sec:\s*([\d.]+)", text)
    if m: r["rps"] = float(m.group(1))
    for pct in ("50", "99"):
        m = re.search(r"^\s*%s%%\s+([\d.]+)(us|ms|s|m)\s*$" % pct, text, re.M)
        if m: r["p" + pct] = ms(m.group(1), m.group(2))
    m = re.search(r"(\d+) requests in", text)
    if m: r["requests"] = int(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    r["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors:(.*)", text)
    r["socket_errors"] = m.group(1).strip() if m else None
    return r

def parse_dl(path):
    runs = []
    try:
        for line in open(path):
            code, size, speed, secs = line.split()
            runs.append((code, int(float(size)), float(speed), float(secs)))
    except (OSError, ValueError):
        pass
    return runs

def downloads(path):
    """best, median, every run (bytes/s) and how many failed or came short, from a download file."""
    runs = parse_dl(path)
    good = [r for r in runs if r[0] == "200" and r[1] == big]
    speeds = sorted(r[2] for r in good)
    return {"best": speeds[-1] if speeds else None, "median": speeds[len(speeds) // 2] if speeds else None,
            "all": [r[2] for r in runs], "bad": len(runs) - len(good)}

def ticks(path):
    """procs {name: (user, sys)}, threads {(proc, thread): (user, sys)} in ticks; extra {machine, children, wall} in seconds."""
    procs, threads, extra = {}, {}, {}
    def secs(t):   # bash's `times`: 1m2.345s
        m = re.match(r"(\d+)m([\d.]+)s", t)
        return int(m.group(1)) * 60 + float(m.group(2)) if m else 0.0
    try:
        for line in open(path):
            f = line.split()
            if not f:
                continue
            if f[0] == "proc" and len(f) == 4:
                procs[f[1]] = (int(f[2]), int(f[3]))
            elif f[0] == "thread" and len(f) == 5:
                old = threads.get((f[1], f[2]), (0, 0))
                threads[(f[1], f[2])] = (old[0] + int(f[3]), old[1] + int(f[4]))
            elif f[0] == "machine" and len(f) == 2:
                extra["machine"] = int(f[1]) / tck
            elif f[0] == "children" and len(f) == 3:
                extra["children"] = secs(f[1]) + secs(f[2])
            elif f[0] == "wall" and len(f) == 2:
                extra["wall"] = int(f[1]) / 1e9
    except OSError:
        pass
    return procs, threads, extra

def num(v, d=1):
    return "—" if v is None else f"{v:,.{d}f}"

big = int(meta.get("BIG_MB", "100")) * 1000 * 1000
W, D, C1, PACED, CPU, TH, OTHER, ROUNDS = {}, {}, {}, {}, {}, {}, {}, {}
D_H2 = None
for p in ORDER:
    if p not in ok:
        continue
    rounds = []
    for r in range(1, int(meta.get("RATE_ROUNDS", "1")) + 1):
        w = parse_wrk(os.path.join(out, p, f"wrk-r{r}.txt"))
        if w.get("rps") is not None:
            rounds.append((w["rps"], r, w))
    if not rounds:
        W[p] = {}
        continue
    _, best_r, W[p] = max(rounds)
    ROUNDS[p] = [x[0] for x in sorted(rounds, key=lambda x: x[1])]
    C1[p] = parse_wrk(os.path.join(out, p, "wrk-c1.txt"))
    PACED[p] = parse_wrk(os.path.join(out, p, "wrk-paced.txt"))
    D[p] = downloads(os.path.join(out, p, "download.txt"))
    if p == "postern":
        D_H2 = downloads(os.path.join(out, p, "download-h2.txt"))
    b, bt, be = ticks(os.path.join(out, p, f"cpu-before-r{best_r}.txt"))
    a, at, ae = ticks(os.path.join(out, p, f"cpu-after-r{best_r}.txt"))
    n = W[p].get("requests") or 0
    CPU[p] = {k: ((a[k][0] - b[k][0]) / tck * 1e6 / n, (a[k][1] - b[k][1]) / tck * 1e6 / n) for k in a if k in b and n}
    TH[p] = {k: (at[k][0] - bt[k][0], at[k][1] - bt[k][1]) for k in at if k in bt}
    if all(k in be and k in ae for k in ("machine", "children", "wall")):
        ours = sum((a[k][0] + a[k][1] - b[k][0] - b[k][1]) / tck for k in a if k in b)
        other = (ae["machine"] - be["machine"]) - ours - (ae["children"] - be["children"])
        OTHER[p] = (max(other, 0.0) / (ae["wall"] - be["wall"]), (ae["children"] - be["children"]) / (ae["wall"] - be["wall"]))

def g(d, p, k):
    return (d.get(p) or {}).get(k)

L = []
L.append(f"| path | req/s | p50 ms | p99 ms | p50 ms, 1 conn | p99 ms, 1 conn | {meta.get('BIG_MB')} MB download MB/s, best of {meta.get('DL_RUNS')} | median | server CPU µs/req |")
L.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
procs_of = {"http": ["nginx-upstream"], "https": ["nginx-upstream"], "postern": ["relay", "share", "nginx-upstream"],
            "ssh": ["sshd", "ssh", "nginx-upstream"], "ssh-tls": ["nginx-front", "sshd", "ssh", "nginx-upstream"]}
for p in ORDER:
    if p not in meta.get("PATHS", "").split():
        continue
    if p not in ok or not W.get(p):
        L.append(f"| {NAMES[p]} | — | — | — | — | — | — | — | — |")
        continue
    w, c, d = W[p], C1[p], D[p]
    cpu = sum(sum(CPU[p].get(k, (0, 0))) for k in procs_of[p]) if CPU[p] else None
    best = None if d["best"] is None else d["best"] / 1e6
    med = None if d["median"] is None else d["median"] / 1e6
    L.append(f"| {NAMES[p]} | {num(w.get('rps'))} | {num(w.get('p50'), 2)} | {num(w.get('p99'), 2)} | "
             f"{num(c.get('p50'), 3)} | {num(c.get('p99'), 3)} | {num(best, 0)} | {num(med, 0)} | {num(cpu, 0)} |")
L.append("")
if ROUNDS:
    L.append(f"req/s in each of the {meta.get('RATE_ROUNDS')} rounds (the best is in the table): " +
             "; ".join(f"{NAMES[p]} " + ", ".join(f"{v:,.0f}" for v in ROUNDS[p]) for p in ORDER if p in ROUNDS) + ".")
if any(g(PACED, p, "p50") is not None for p in ORDER):
    L.append(f"Paced ({meta.get('CONNS')} connections, each pausing a random 0–{2 * int(meta.get('PACE_MS', '0'))} ms after every answer, "
             f"{meta.get('LAT_DURATION')}): " + "; ".join(
                 f"{NAMES[p]} {num(PACED[p].get('rps'), 0)} req/s, p50 {num(PACED[p].get('p50'), 3)} / p99 {num(PACED[p].get('p99'), 3)} ms"
                 for p in ORDER if g(PACED, p, "p50") is not None) + ".")
busy = []   # what ran while other programs took more than 0.2 cores
if OTHER:
    L.append("CPU during the counted round, in cores: wrk / other programs on the machine (total busy time minus the processes "
             "started here and wrk): " + "; ".join(f"{NAMES[p]} {OTHER[p][1]:.2f} / {OTHER[p][0]:.2f}" for p in ORDER if p in OTHER) + ".")
    busy = [NAMES[p] for p in ORDER if p in OTHER and OTHER[p][0] > 0.2]
b, _, be = ticks(os.path.join(out, "cpu-before-downloads.txt"))
a, _, ae = ticks(os.path.join(out, "cpu-after-downloads.txt"))
if OTHER and all(k in be and k in ae for k in ("machine", "children", "wall")):
    ours = sum((a[k][0] + a[k][1] - b[k][0] - b[k][1]) / tck for k in a if k in b)
    wall = ae["wall"] - be["wall"]
    other = max((ae["machine"] - be["machine"]) - ours - (ae["children"] - be["children"]), 0.0) / wall
    L.append(f"During the downloads ({wall:.0f} s), in cores: curl {(ae['children'] - be['children']) / wall:.2f}, other programs {other:.2f}.")
    if other > 0.2:
        busy.append("the downloads")
if busy:
    L.append(f"**Other programs took more than 0.2 cores during: {', '.join(busy)}; those figures are low, rerun on a quiet machine.**")
L.append("")

def verdict(okay):
    return "met" if okay else "NOT met"

rate_ratio = tput_ratio = tput_median = added = None
if "postern" in ok and "ssh-tls" in ok:
    if g(W, "postern", "rps") and g(W, "ssh-tls", "rps"):
        rate_ratio = W["postern"]["rps"] / W["ssh-tls"]["rps"]
    if g(D, "postern", "best") and g(D, "ssh-tls", "best"):
        tput_ratio = D["postern"]["best"] / D["ssh-tls"]["best"]
        tput_median = D["postern"]["median"] / D["ssh-tls"]["median"]
if "postern" in ok and "https" in ok and g(W, "postern", "p50") is not None and g(W, "https", "p50") is not None:
    added = W["postern"]["p50"] - W["https"]["p50"]
added1 = added_paced = None
if "postern" in ok and "https" in ok and g(PACED, "postern", "p50") is not None and g(PACED, "https", "p50") is not None:
    added_paced = PACED["postern"]["p50"] - PACED["https"]["p50"]
if "postern" in ok and "https" in ok and g(C1, "postern", "p50") is not None and g(C1, "https", "p50") is not None:
    added1 = C1["postern"]["p50"] - C1["https"]["p50"]
L.append("Targets (Postern against the TLS-fronted `ssh -R`, and against direct HTTPS):")
L.append("")
L.append(f"- request rate: **{'—' if rate_ratio is None else f'{rate_ratio:.2f}×'}** (target ≥ 1×, aim 2×): "
         f"{'—' if rate_ratio is None else verdict(rate_ratio >= 1) + ('' if rate_ratio < 1 else ('; aim met' if rate_ratio >= 2 else '; aim not met'))}.")
L.append(f"- {meta.get('BIG_MB')} MB throughput: **{'—' if tput_ratio is None else f'{tput_ratio:.2f}×'}** (target ≥ 1.5×): "
         f"{'—' if tput_ratio is None else verdict(tput_ratio >= 1.5)} (best against best; median against median {'—' if tput_median is None else f'{tput_median:.2f}×'}).")
L.append(f"- p50 added over direct HTTPS (target ≤ 1 ms): at {meta.get('CONNS')} connections as fast as they can "
         f"**{'—' if added is None else f'{added:+.2f} ms'}** ({'—' if added is None else verdict(added <= 1.0)}; there the p50 is "
         f"mostly the queue that the request rate leaves); at {meta.get('CONNS')} paced connections, below saturation, "
         f"**{'—' if added_paced is None else f'{added_paced * 1000:+.0f} µs'}** ({'—' if added_paced is None else verdict(added_paced <= 1.0)}); "
         f"with one connection {'—' if added1 is None else f'{added1 * 1000:+.0f} µs'}.")
if "ssh" in ok and "postern" in ok and g(W, "ssh", "rps") and g(D, "ssh", "best") and g(D, "postern", "best"):
    L.append(f"- for reference, against plain `ssh -R` (no TLS to the client): rate {W['postern']['rps'] / W['ssh']['rps']:.2f}×, "
             f"throughput {D['postern']['best'] / D['ssh']['best']:.2f}×.")
L.append("")

# CPU per request, by process
cols = [("nginx-upstream", "nginx upstream"), ("nginx-front", "nginx TLS front"), ("sshd", "sshd"), ("ssh", "ssh client"),
        ("relay", "postern relay"), ("share", "postern share")]
L.append("CPU per request during the main wrk run, µs (user + sys, from /proc; the client, wrk, not counted):")
L.append("")
L.append("| path | " + " | ".join(c[1] for c in cols) + " | total |")
L.append("| --- |" + " ---: |" * (len(cols) + 1))
for p in ORDER:
    if p not in ok or not CPU.get(p):
        continue
    cells, total = [], 0.0
    for k, _ in cols:
        if k in procs_of[p] and k in CPU[p]:
            u, s = CPU[p][k]
            total += u + s
            cells.append(f"{u + s:.0f} ({u:.0f} + {s:.0f})")
        else:
            cells.append("")
    L.append(f"| {NAMES[p]} | " + " | ".join(cells) + f" | {total:.0f} |")
L.append("")
if "postern" in ok and TH.get("postern"):
    parts = []
    for who, label in (("relay", "relay"), ("share", "agent")):
        th = {k[1]: v for k, v in TH["postern"].items() if k[0] == who and sum(v) > 0}
        tot = sum(sum(v) for v in th.values()) or 1
        busy = ", ".join(f"{n} {100 * sum(v) / tot:.0f} % (user {100 * v[0] / tot:.0f}, sys {100 * v[1] / tot:.0f})"
                         for n, v in sorted(th.items(), key=lambda kv: -sum(kv[1])))
        parts.append(f"{label}: {busy}")
    L.append("Threads of the Postern processes (share of each process's CPU during its wrk run): " + "; ".join(parts) + ".")
    L.append("")
def per_request(folder, proc, suffix, requests):
    """(user, sys) µs a request of `proc` between the cpu-before/after snapshots in `folder`."""
    b, _, _ = ticks(os.path.join(out, folder, f"cpu-before{suffix}.txt"))
    a, _, _ = ticks(os.path.join(out, folder, f"cpu-after{suffix}.txt"))
    return tuple((a[proc][i] - b[proc][i]) / tck * 1e6 / requests for i in (0, 1))

def h2load_done(path):
    """(requests done, req/s) from h2load's output."""
    text = open(path).read()
    return (int(re.search(r"requests: \d+ total, \d+ started, (\d+) done", text).group(1)),
            float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", text).group(1)))

own = parse_wrk(os.path.join(out, "relay-own", "wrk.txt"))
ob, _, _ = ticks(os.path.join(out, "relay-own", "cpu-before.txt"))
oa, _, _ = ticks(os.path.join(out, "relay-own", "cpu-after.txt"))
if own.get("requests") and "relay" in ob and "relay" in oa and CPU.get("postern", {}).get("relay"):
    ou, osys = per_request("relay-own", "relay", "", own["requests"])
    ru, rs = CPU["postern"]["relay"]
    L.append(f"The floor under these figures: the relay answering requests itself (its 404 page, {own.get('non2xx', 0):,} of "
             f"{own['requests']:,} non-2xx as expected; same TLS and HTTP/1.1 public side, no agent) costs it "
             f"**{ou + osys:.0f} µs a request** ({ou:.0f} + {osys:.0f}; {num(own.get('rps'))} req/s), against "
             f"{ru + rs:.0f} for a tunnelled request: TLS and HTTP/1 on a SwiftNIO pipeline alone take about "
             f"{100 * (ou + osys) / (ru + rs):.0f} % of what the relay spends on a request it forwards.")
    try:
        done, h2rps = h2load_done(os.path.join(out, "relay-own", "h2load.txt"))
        hu, hs = per_request("relay-own", "relay", "-h2", done)
        L.append(f"Over HTTP/2 (h2load, one connection carrying {meta.get('CONNS', '16')} streams at once, each "
                 f"a stream channel with its HTTP/1 codec, as on an agent link) the same answer costs it **{hu + hs:.0f} µs** "
                 f"({hu:.0f} + {hs:.0f}; {h2rps:,.0f} req/s): one protocol ended on SwiftNIO costs about that much "
                 f"a request here, and a tunnelled request ends four (the public side and the link's client end in "
                 f"the relay, the link's server end and the upstream's client in the agent).")
    except (OSError, AttributeError, KeyError, ZeroDivisionError):
        pass
    L.append("")

try:
    f1 = parse_wrk(os.path.join(out, "nio-floor", "wrk.txt"))
    fu, fs = per_request("nio-floor", "nio-floor", "", f1["requests"])
    fp = parse_wrk(os.path.join(out, "nio-floor", "wrk-plain.txt"))
    pu, ps = per_request("nio-floor", "nio-floor", "-plain", fp["requests"])
    line = (f"The least SwiftNIO spends on a request here (`bench/nio-floor`: a fixed 13-byte answer, nothing "
            f"else): **{fu + fs:.0f} µs over TLS HTTP/1.1** ({fu:.0f} + {fs:.0f}; {num(f1.get('rps'))} req/s), "
            f"**{pu + ps:.0f} µs over plain HTTP/1.1** ({pu:.0f} + {ps:.0f}; {num(fp.get('rps'))} req/s)")
    try:
        n2, r2 = h2load_done(os.path.join(out, "nio-floor", "h2load.txt"))
        gu, gs = per_request("nio-floor", "nio-floor", "-h2", n2)
        line += (f", **{gu + gs:.0f} µs over HTTP/2** with a stream channel and codec per request ({gu:.0f} + {gs:.0f}; "
                 f"h2load, one connection, {meta.get('CONNS', '16')} streams, {r2:,.0f} req/s)")
        ends = (fu + fs) + 2 * (gu + gs) + (pu + ps)
        line += (f". A tunnelled request is ended four times — by the relay over HTTP/1.1 (TLS) and HTTP/2 (TLS), by the "
                 f"agent over HTTP/2 (TLS) and plain HTTP/1.1 — so relay and agent together cannot spend much less than "
                 f"**{ends:.0f} µs**, with no forwarding code at all (they spent "
                 f"{sum(CPU['postern']['relay']) + sum(CPU['postern']['share']):.0f})")
        if CPU.get("ssh-tls"):
            chain = sum(sum(CPU["ssh-tls"].get(k, (0, 0))) for k in procs_of["ssh-tls"] if k != "nginx-upstream")
            line += f"; the TLS-fronted `ssh -R` chain spends {chain:.0f} µs a request on all its hops (nginx's TLS front, sshd, ssh)"
    except (OSError, AttributeError, KeyError, ZeroDivisionError):
        pass
    L.append(line + ".")
    L.append("")
except (OSError, AttributeError, KeyError, ZeroDivisionError):
    pass

# ---- profile
MODULES = [("NIOHTTP2", "NIO HTTP/2"), ("NIOHPACK", "NIO HTTP/2"), ("NIOHTTP1", "NIO HTTP/1"), ("llhttp", "NIO HTTP/1"),
           ("NIOSSL", "NIOSSL"), ("NIOCore", "NIO core/posix"), ("NIOPosix", "NIO core/posix"),
           ("NIOConcurrencyHelpers", "NIO core/posix"), ("NIOEmbedded", "NIO core/posix"), ("Tunnel", "Tunnel (Postern)"),
           ("Foundation", "Foundation"), ("Swift", "Swift stdlib")]

def category(sym, dso):
    if "kernel" in dso or dso.startswith("[k"):
        return "kernel"
    if "libcrypto" in dso or "libssl" in dso or sym.startswith("CNIOBoringSSL") or re.match(r"(aes|gcm|chacha|poly1305|sha|ecp_|fiat_|bn_)", sym):
        return "TLS crypto (BoringSSL)"
    if sym.startswith(("swift_", "_swift", "swift::")) or "libswiftCore" in dso and sym.startswith(("swift", "_swift")):
        return "Swift runtime (ARC, allocation, metadata)"
    if "libc.so" in dso or "ld-linux" in dso or "libpthread" in dso or "libm.so" in dso:
        return "libc (malloc, memcpy, …)"
    tail = sym.split("> of ")[-1]
    best = None
    for mod, cat in MODULES:
        m = re.search(r"\b%s[\w]*\." % re.escape(mod), tail)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), cat)
    if best:
        return best[1]
    if "libswift" in dso:
        return "Swift stdlib"
    if "libdispatch" in dso or "libFoundation" in dso:
        return "Foundation"
    return "other"

def syscall_of(stack):
    """The system call a kernel sample is in: named after the first user-space
    frame under the kernel frames (the libc wrapper), else what the kernel was doing."""
    kernel = []
    for sym, dso in stack:
        if "kernel" in dso:
            kernel.append(sym)
            continue
        if kernel and any(k.startswith(("entry_SYSCALL", "do_syscall")) for k in kernel):
            name = re.sub(r"^(__GI_)?(__libc_|__)?", "", sym)
            name = re.sub(r"(_nocancel|64)$", "", name)
            return name if name and name != "[unknown]" else "(unknown syscall)"
        break
    if any("page_fault" in k for k in kernel):
        return "(page faults)"
    if any(re.search(r"irq|softirq|net_rx", k) for k in kernel):
        return "(interrupts, softirq)"
    if any("schedule" in k or "switch" in k for k in kernel):
        return "(scheduling)"
    return "(other kernel)"

def read_script(path):
    samples = []   # list of stacks: [(sym, dso), ...] leaf first
    stack = None
    try:
        f = open(path, errors="replace")
    except OSError:
        return samples
    for line in f:
        if not line.strip():
            if stack:
                samples.append(stack)
            stack = None
            continue
        if not line.startswith("\t"):   # a sample's header (" TID"); its frames follow, one a line, tab-indented
            if stack:
                samples.append(stack)
            stack = []
            continue
        m = re.match(r"\s*[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$", line)
        if m and stack is not None:
            sym = re.sub(r"\+0x[0-9a-f]+$", "", m.group(1))
            stack.append((sym, os.path.basename(m.group(2))))
    if stack:
        samples.append(stack)
    return samples

def short(sym, n=90):
    sym = re.sub(r"^(generic specialization|specialized) <.*?> of ", "specialized ", sym)
    return sym if len(sym) <= n else sym[: n - 1] + "…"

INCLUSIVE = [
    ("a Tunnel frame (Postern's forwarders and routes, with all they call down to the socket writes)", r"\bTunnel\."),
    ("HTTP/2 stream channel creation", r"createStreamChannel|HTTP2StreamChannel\.configure"),
    ("upstream connect (getaddrinfo, Happy Eyeballs, connect)", r"HappyEyeballsConnectorRunner|GetaddrinfoResolver|ClientBootstrap"),
    ("socket close", r"BaseSocketChannel\.close0|^__close|__GI___close"),
    ("tasks the event loop runs (cross-loop hops, future callbacks)", r"runOneLoopTick"),
    ("ByteBuffer copies between loops (detached())", r"ByteBuffer\.detached"),
]

def demangler(names, simplified):
    """mangled -> demangled, one swift-demangle process for all names (identity without it)."""
    names = sorted(n for n in names if n.startswith(("$s", "_$s", "$S", "_T")))
    if not names:
        return {}
    import subprocess
    try:
        args = ["swift-demangle"] + (["--simplified"] if simplified else [])
        res = subprocess.run(args, input="\n".join(names) + "\n", capture_output=True, text=True, timeout=120)
        lines = res.stdout.split("\n")
        if len(lines) >= len(names):
            return dict(zip(names, lines))
    except (OSError, subprocess.SubprocessError):
        pass
    return {}

raw = {}
for kind in ("rate", "download"):
    for who in ("relay", "agent"):
        samples = read_script(os.path.join(out, "profile", f"{who}-{kind}.script"))
        if samples:
            raw[(kind, who)] = samples
allnames = {sym for samples in raw.values() for st in samples for sym, _ in st}
FULL, SIMPLE = demangler(allnames, False), demangler(allnames, True)
have_prof = bool(raw)
summary = {}
for key, samples in raw.items():
    n = len(samples)
    cats, syms, sysc = Counter(), Counter(), Counter()
    for st in samples:
        sym, dso = st[0]
        c = category(FULL.get(sym, sym), dso)
        cats[c] += 1
        syms[(short(SIMPLE.get(sym, sym)), c)] += 1
        if c == "kernel":
            sysc[syscall_of(st)] += 1
    summary[key] = (n, cats, syms, sysc)

if have_prof:
    L.append("Profile (perf record -e cpu-clock -F 999 -g on each process; self time by where the sampled instruction is):")
    L.append("")
    keys = [k for k in (("rate", "relay"), ("rate", "agent"), ("download", "relay"), ("download", "agent")) if k in summary]
    allcats = Counter()
    for k in keys:
        n, cats = summary[k][0], summary[k][1]
        for c, v in cats.items():
            allcats[c] += v / n
    L.append("| share of samples | " + " | ".join(f"{who}, {'wrk' if kind == 'rate' else 'download'}" for kind, who in keys) + " |")
    L.append("| --- |" + " ---: |" * len(keys))
    for c, _ in allcats.most_common():
        L.append(f"| {c} | " + " | ".join(f"{100 * summary[k][1][c] / summary[k][0]:.1f} %" for k in keys) + " |")
    L.append("| samples | " + " | ".join(str(summary[k][0]) for k in keys) + " |")
    L.append("")
    L.append("Inclusive (samples with such a frame anywhere on the stack; rows overlap):")
    L.append("")
    L.append("| stacks under | " + " | ".join(f"{who}, {'wrk' if kind == 'rate' else 'download'}" for kind, who in keys) + " |")
    L.append("| --- |" + " ---: |" * len(keys))
    for label, pattern in INCLUSIVE:
        cells = []
        for k in keys:
            n, hits = len(raw[k]), 0
            for st in raw[k]:
                if any(re.search(pattern, FULL.get(s, s)) for s, _ in st):
                    hits += 1
            cells.append(f"{100 * hits / n:.1f} %")
        L.append(f"| {label} | " + " | ".join(cells) + " |")
    L.append("")
    for k in keys:
        n, cats, syms, sysc = summary[k]
        kind, who = k
        kern = sum(sysc.values()) or 1
        L.append(f"- {who}, {'wrk' if kind == 'rate' else 'download'}: kernel time by system call: " +
                 ", ".join(f"{s} {100 * v / n:.1f} %" for s, v in sysc.most_common(6)) + "; top functions (self): " +
                 "; ".join(f"`{s}` {100 * v / n:.1f} %" for (s, c), v in syms.most_common(8 if kind == "rate" else 5)) + ".")
    L.append("")

# ---- strace
def parse_strace(path):
    rows = {}
    try:
        for line in open(path):
            f = line.split()
            if len(f) >= 5 and re.match(r"^[\d.]+$", f[0]) and f[-1] not in ("total",):
                calls = f[3] if len(f) >= 6 else f[3]
                try:
                    rows[f[-1]] = int(calls)
                except ValueError:
                    pass
    except OSError:
        pass
    return rows
sw = parse_wrk(os.path.join(out, "strace", "wrk.txt"))
if sw.get("requests"):
    parts = []
    for who in ("relay", "agent"):
        rows = parse_strace(os.path.join(out, "strace", f"{who}.txt"))
        if rows:
            tot = sum(rows.values()) / sw["requests"]
            top = sorted(rows.items(), key=lambda kv: -kv[1])[:7]
            parts.append(f"{who} {tot:.1f} (" + ", ".join(f"{s} {c / sw['requests']:.2f}" for s, c in top) + ")")
    if parts:
        L.append(f"System calls per request (strace -c -f, {sw['requests']} requests of wrk -t1 -c4 -d3s): " + "; ".join(parts) + ".")
        L.append("")

errs = []
for p in ORDER:
    if p in ok:
        w = W[p]
        if w.get("non2xx") or w.get("socket_errors"):
            errs.append(f"{NAMES[p]}: {w.get('non2xx')} non-2xx, socket errors {w.get('socket_errors') or 'none'}")
        if D[p]["bad"]:
            errs.append(f"{NAMES[p]}: {D[p]['bad']} of the downloads failed or were short")
if errs:
    L.append("Errors during the run: " + "; ".join(errs) + ".")
missing = [p for p in meta.get("PATHS", "").split() if p not in ok]
if missing:
    L.append(f"Paths that failed: {', '.join(missing)}.")
dl = "; ".join(f"{NAMES[p]} " + ", ".join(f"{s / 1e6:.0f}" for s in D[p]["all"]) for p in ORDER if p in ok)
L.append(f"Downloads, every run (MB/s): {dl}.")
if D_H2 and D_H2["all"]:
    h2 = f"best {D_H2['best'] / 1e6:,.0f}, median {D_H2['median'] / 1e6:,.0f} MB/s" if D_H2["best"] else "none complete"
    runs = ", ".join(f"{x / 1e6:.0f}" for x in D_H2["all"])
    short = f"; {D_H2['bad']} failed or came short" if D_H2["bad"] else ""
    L.append(f"Postern over HTTP/2 (curl's and browsers' default; the table's downloads go over HTTP/1.1 like the other paths), "
             f"after the rounds: {h2}; every run {runs}{short}.")
L.append(f"Load average: start {meta.get('LOADAVG_START')}, end {meta.get('LOADAVG_END')}; {meta.get('NPROC')} cores ({meta.get('CPU')}); "
         f"nginx {meta.get('NGINX')} (worker_processes {meta.get('NGINX_WORKERS')}); {meta.get('OPENSSH')} (ciphers: {meta.get('SSH_CIPHERS', '?').split(',')[0]} first); "
         f"{meta.get('WRK')}; commit {meta.get('GIT')}; postern binary {meta.get('POSTERN_BIN')} built {meta.get('POSTERN_BIN_TIME')}"
         + (f" ({meta['POSTERN_BIN_NOTE']})" if meta.get("POSTERN_BIN_NOTE") else "") + ".")
print("\n".join(L))
PY
{
  echo "Run of $(sed -n 's/^DATE=//p' "$OUTDIR/meta.env"): \`$COMMAND_LINE\` (wrk -t$THREADS -c$CONNS -d$DURATION --latency, best of $RATE_ROUNDS rounds, ${SMALL_BYTES}-byte responses, keep-alive; one-connection run wrk -t1 -c1 -d$LAT_DURATION)"
  echo
  cat "$OUTDIR/table.md"
} > "$OUTDIR/result.md"
echo; cat "$OUTDIR/result.md"; echo

ALL_OK=1      # every path ran and succeeded
for p in $ALL_PATHS; do case " $OK_PATHS " in *" $p "*) ;; *) ALL_OK=0 ;; esac; done
FAILED=0      # a path that was asked for failed
for p in $PATHS; do case " $OK_PATHS " in *" $p "*) ;; *) FAILED=1 ;; esac; done
if [ "$WRITE_README" = 1 ] || { [ "$WRITE_README" = auto ] && [ "$ALL_OK" = 1 ]; }; then
  README="$HERE/README.md"
  "$PY" "$HERE/write_section.py" "$README" "$OUTDIR/result.md" tunnel.sh
  log "table written into $README"
else
  log "README not updated (paths ok: '${OK_PATHS# }'; WRITE_README=$WRITE_README)"
fi
log "raw results: $OUTDIR"
exit "$FAILED"
