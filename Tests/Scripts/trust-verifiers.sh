#!/usr/bin/env bash
# Real verifiers against `postern serve` before `postern ca install`, after it,
# after `postern ca rotate` and after `postern ca uninstall`.
#
# Run inside a private mount namespace (`unshare --mount --propagation private`):
# the system trust stores (/etc/ssl/certs with Java's cacerts in it,
# /usr/local/share/ca-certificates, /etc/ca-certificates.conf) are replaced by
# copies with bind mounts that only this namespace sees, and HOME is a
# temporary folder with its own NSS databases, so the machine's stores are
# never touched. Prints one line per finding ("PHASE CLIENT trusted|refused",
# "stores unchanged", …) for EndToEndTests/RealVerifierTests to check.
#
# Usage: trust-verifiers.sh POSTERN_BINARY WORK_FOLDER HTTPS_PORT HTTP_PORT
set -uo pipefail
postern=$1 work=$2 port=$3 http_port=$4
here=$(cd "$(dirname "$0")" && pwd)
url="https://localhost:$port/blog/"
# The machine may point every client at one bundle; the verifiers must use their defaults.
unset SSL_CERT_FILE SSL_CERT_DIR CURL_CA_BUNDLE REQUESTS_CA_BUNDLE JAVA_TOOL_OPTIONS JDK_JAVA_OPTIONS
export POSTERN_HOME="$work/postern"

fail() { echo "error: $*"; exit 1; }

for path in /etc/ssl/certs /usr/local/share/ca-certificates /etc/ca-certificates.conf; do
    copy="$work/system$path"
    mkdir -p "$(dirname "$copy")"
    cp -a "$path" "$(dirname "$copy")/" || fail "cannot copy $path"
    mount --bind "$copy" "$path" || fail "cannot bind-mount a copy over $path"
done
export HOME="$work/home"
firefox_profile="$HOME/.mozilla/firefox/verifier.default"
mkdir -p "$HOME/.pki/nssdb" "$firefox_profile"
certutil -N --empty-password -d "sql:$HOME/.pki/nssdb" || fail "certutil -N"
certutil -N --empty-password -d "sql:$firefox_profile" || fail "certutil -N"

# What "the stores as they began" means: the bundle byte for byte, the folders'
# entries and link targets, Java's cacerts and each NSS database entry for entry.
snapshot() {
    sha256sum /etc/ssl/certs/ca-certificates.crt
    find /etc/ssl/certs /usr/local/share/ca-certificates -printf '%p -> %l\n' | sort
    keytool -list -v -keystore /etc/ssl/certs/java/cacerts -storepass changeit 2>/dev/null \
        | grep -E '^(Alias name|[[:space:]]*SHA256):' | paste - - | sort
    for db in "$HOME/.pki/nssdb" "$firefox_profile"; do
        certutil -L -d "sql:$db" | tail -n +5 | sort
    done
}

server_pid=
start_server() {
    "$postern" serve --port "$port" --http-port "$http_port" > "$work/serve.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 300); do
        curl -s -o /dev/null --cacert "$POSTERN_HOME/ca/rootCA.pem" "$url" && return 0
        kill -0 "$server_pid" 2>/dev/null || fail "postern serve exited: $(cat "$work/serve.log")"
        sleep 0.1
    done
    fail "postern serve did not answer within 30 s"
}
stop_server() {
    [ -n "$server_pid" ] && kill "$server_pid" && wait "$server_pid"
    server_pid=
}
trap stop_server EXIT

# One line per client: "PHASE CLIENT trusted" or "PHASE CLIENT refused", details on the next line.
verify() {
    local phase=$1 out rc
    # The server answers with its own root, so a refusal below is about trust, not reachability.
    curl -s -o /dev/null --cacert "$POSTERN_HOME/ca/rootCA.pem" "$url" && echo "$phase reachable"

    out=$(curl -sS --max-time 20 -o /dev/null "$url" 2>&1); rc=$?
    case $rc in 0) echo "$phase curl trusted" ;; 60) echo "$phase curl refused"; echo "  ${out%%$'\n'*}" ;; *) echo "$phase curl error $rc: $out" ;; esac

    out=$(python3 - "$url" 2>&1 <<'PY'
import ssl, sys, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], context=ssl.create_default_context(), timeout=20)
    print("trusted")
except urllib.error.URLError as error:
    if isinstance(error.reason, ssl.SSLCertVerificationError):
        print("refused", error.reason)
    else:
        raise
PY
)
    echo "$phase python ${out%% *}"; echo "  $out"

    out=$(java "$here/HttpsProbe.java" "$url" 2>&1)
    echo "$phase java ${out%% *}"; echo "  ${out:0:300}"

    out=$(chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions \
        --disable-background-networking --user-data-dir="$work/chromium-$phase" \
        --dump-dom "$url" 2>"$work/chromium-$phase.log")
    if grep -q '– Postern</title>' <<<"$out"; then
        echo "$phase chromium trusted"
    else
        echo "$phase chromium refused"
        echo "  $({ cat "$work/chromium-$phase.log"; echo "$out"; } | grep -o 'ERR_[A-Z_]*' | sort -u | tr '\n' ' ')"
    fi
}

before=$(snapshot)
start_server
verify before

"$postern" ca install || fail "postern ca install failed"
verify installed
old_fingerprint=$("$postern" ca info | sed -n 's/^SHA-256: *//p')

stop_server
"$postern" ca rotate || fail "postern ca rotate failed"
new_fingerprint=$("$postern" ca info | sed -n 's/^SHA-256: *//p')
[ "$old_fingerprint" != "$new_fingerprint" ] && echo "rotated new root"
# Each root by its SHA-256 (keytool's listing), its short fingerprint (file names,
# nicknames, aliases) and its PEM (the bundle).
mentions() {
    local fingerprint=$1 pem=$2 short
    short=$(tr -d : <<<"$fingerprint" | cut -c1-8 | tr A-F a-f)
    { snapshot; cat /etc/ssl/certs/ca-certificates.crt; } | grep -c -e "$fingerprint" -e "$short" -e "$(sed -n 2p "$pem")"
}
[ "$(mentions "$old_fingerprint" "$POSTERN_HOME"/ca/retired/rootCA-*.pem)" = 0 ] && echo "rotated old root gone from stores"
[ "$(mentions "$new_fingerprint" "$POSTERN_HOME/ca/rootCA.pem")" -ge 5 ] && echo "rotated new root in stores"
start_server
verify rotated

"$postern" ca uninstall || fail "postern ca uninstall failed"
verify uninstalled
stop_server

after=$(snapshot)
if [ "$before" == "$after" ]; then
    echo "stores unchanged"
else
    echo "stores changed:"
    diff <(echo "$before") <(echo "$after") | head -40
fi
dangling=$(find /etc/ssl/certs -xtype l)
[ -z "$dangling" ] && echo "no dangling links" || echo "dangling links: $dangling"
