#!/usr/bin/env bash
# Install what the DVC remote integration tests need, if missing:
#   - Debian's openssh-server (sshd for the SSH remote test; needs root to install),
#   - s3rver from npm, pinned by tests/integration/servers/package-lock.json.
# Idempotent: returns at once when both are present and node_modules matches the lock.
set -euo pipefail
cd "$(dirname "$0")/../.."

servers=tests/integration/servers
stamp=$servers/node_modules/.package-lock.json

if [[ ! -x /usr/sbin/sshd ]]; then
    if [[ $(id -u) -ne 0 ]]; then
        echo "install-test-deps.sh: /usr/sbin/sshd is missing and installing openssh-server needs root" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends openssh-server >/dev/null
fi

if [[ ! -x $servers/node_modules/.bin/s3rver || $servers/package-lock.json -nt $stamp ]]; then
    command -v npm >/dev/null || { echo "install-test-deps.sh: npm is needed to install s3rver" >&2; exit 1; }
    npm ci --prefix "$servers" --no-audit --no-fund --silent
fi
