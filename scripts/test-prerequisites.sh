#!/usr/bin/env bash
# The first step of `npm test`: what the tests need besides node_modules. As root on Debian, missing
# system packages are installed with apt-get (a fresh machine has only Node and npm); what Debian
# does not package (moto, gcloud) stops the run here in one line, so that no suite skips quietly.
# When everything is present this only looks, in about half a second (no apt-get update).
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
  echo "npm test: $*" >&2
  exit 1
}

[ -x node_modules/.bin/tsx ] && [ -x node_modules/.bin/prettier ] && [ -x node_modules/.bin/depcruise ] || fail "node_modules is missing or out of date: run npm ci"

# Each check names the Debian package that provides it.
missing=()
# pgrep/ps/kill: the tests check which processes are left.
command -v pgrep >/dev/null || missing+=(procps)
# The SSH tests' cluster: network namespaces on a bridge, each with its own sshd (test/e2e/cluster).
command -v ip >/dev/null || missing+=(iproute2)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v ssh >/dev/null && command -v ssh-keygen >/dev/null || missing+=(openssh-client)
# The Python API and its unit tests; the sweep tests read results.csv with Python's csv.
command -v python3 >/dev/null || missing+=(python3)
# The KVS example's tests drive it with real Redis clients and compare with a real redis-server.
command -v redis-cli >/dev/null && command -v redis-benchmark >/dev/null || missing+=(redis-tools)
command -v redis-server >/dev/null || missing+=(redis-server)
# Among those clients, redis-py as Debian ships it (test/e2e/kvs-clients.test.ts runs Debian's /usr/bin/python3).
/usr/bin/python3 -c "import redis" 2>/dev/null || missing+=(python3-redis)
# Sweep plots are checked by rendering them with another SVG implementation, with real fonts.
command -v rsvg-convert >/dev/null || missing+=(librsvg2-bin)
[ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
# The web view (hydro run --ui) is tested in a real browser: Debian's chromium, driven by playwright-core.
[ -x /usr/bin/chromium ] || missing+=(chromium)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    fail "missing Debian packages ${missing[*]}: run npm test as root on Debian to install them, or apt-get install ${missing[*]}"
  fi
  echo "npm test: installing ${missing[*]} with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  # -o DPkg::Lock::Timeout: waits for another apt-get (e.g. the cluster's own, test/e2e/cluster/packages.ts).
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  quiet_apt_get() { apt-get -o DPkg::Lock::Timeout=300 -qq "$@" >"$log" 2>&1 || { cat "$log" >&2; fail "apt-get $1 failed (its output is above)"; }; }
  quiet_apt_get update
  quiet_apt_get install -y "${missing[@]}"
  # Installing Debian's redis-server starts a server on 6379 at boot and now; the tests start their own.
  if [[ " ${missing[*]} " == *" redis-server "* ]]; then
    systemctl disable --now redis-server >/dev/null 2>&1 || service redis-server stop >/dev/null 2>&1 || true
  fi
fi

# The cloud tests run moto (EC2) and gcloud (which checks the GCE double); Debian packages neither
# (bookworm has no moto at all; its python3-boto3 is of no use without moto, which brings boto3 with it).
unpackaged=()
python3 -c "import moto.server, boto3" 2>/dev/null || unpackaged+=("moto for python3 (pip install 'moto[server]==5.2.1' boto3==1.43.11)")
command -v gcloud >/dev/null || unpackaged+=("gcloud (google-cloud-cli=528.0.0-0 from Google's apt repository)")
if [ ${#unpackaged[@]} -gt 0 ]; then
  listed=$(printf '%s; ' "${unpackaged[@]}")
  fail "missing, and not in Debian's apt: ${listed%; }. README.md \"Tests and benchmarks\" has the commands"
fi
