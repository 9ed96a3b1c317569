#!/usr/bin/env bash
# Install what the integration and report tests need, if missing:
#   - Debian's openssh-server (sshd for the SSH remote test) and chromium (the report test
#     renders results/report.html headless); installing them needs root,
#   - s3rver from npm, pinned by tests/integration/servers/package-lock.json.
# Idempotent: returns at once when all are present and node_modules matches the lock.
set -euo pipefail
cd "$(dirname "$0")/../.."

servers=tests/integration/servers
stamp=$servers/node_modules/.package-lock.json

missing=()
[[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
command -v chromium >/dev/null || missing+=(chromium)
if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "install-test-deps.sh: installing ${missing[*]} (Debian packages) needs root" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -x $servers/node_modules/.bin/s3rver || $servers/package-lock.json -nt $stamp ]]; then
    command -v npm >/dev/null || { echo "install-test-deps.sh: npm is needed to install s3rver" >&2; exit 1; }
    npm ci --prefix "$servers" --no-audit --no-fund --silent
fi
