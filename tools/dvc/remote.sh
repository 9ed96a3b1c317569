#!/usr/bin/env bash
# Point this clone at a shared DVC remote, in one command. Writes the remote, named after its
# kind, to .dvc/config.local (git-ignored, so credentials stay on this machine) and makes it the
# default; the committed default in .dvc/config (the folder ../aelle-dvc-remote next to the
# clone) is then overridden.
#
#   tools/dvc/remote.sh local  /path/to/folder
#   tools/dvc/remote.sh ssh    ssh://user@host[:port]/abs/path   [DVC_SSH_KEYFILE=~/.ssh/id_ed25519]
#   tools/dvc/remote.sh s3     s3://bucket/prefix                 AWS_ACCESS_KEY_ID=.. AWS_SECRET_ACCESS_KEY=..
#                                                                 [S3_ENDPOINT_URL=http://host:port]
#   tools/dvc/remote.sh webdav webdavs://host/path                WEBDAV_USER=.. WEBDAV_PASSWORD=..
#
# Credentials are read from the environment variables shown (each optional: without them DVC
# uses ssh-agent / ~/.ssh, the AWS credential chain, or anonymous WebDAV access).
set -euo pipefail
script=$(realpath "$0")
cd "$(dirname "$script")/../.."

usage() {
    sed -n '2,14p' "$script" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
[[ $# -eq 2 ]] || usage
kind=$1
url=$2

set_option() {
    if [[ -n $2 ]]; then
        dvc remote modify --local "$kind" "$1" "$2"
    fi
}

case $kind in
local)
    url=$(realpath -m "$url")
    ;;
ssh)
    [[ $url == ssh://* ]] || { echo "remote.sh: an SSH remote URL starts with ssh://, got '$url'" >&2; exit 2; }
    ;;
s3)
    [[ $url == s3://* ]] || { echo "remote.sh: an S3 remote URL starts with s3://, got '$url'" >&2; exit 2; }
    ;;
webdav)
    [[ $url == webdav://* || $url == webdavs://* ]] ||
        { echo "remote.sh: a WebDAV remote URL starts with webdav:// or webdavs://, got '$url'" >&2; exit 2; }
    ;;
*)
    echo "remote.sh: unknown remote kind '$kind' (expected local, ssh, s3 or webdav)" >&2
    usage
    ;;
esac

dvc remote add --local --default --force "$kind" "$url"
case $kind in
ssh)
    set_option keyfile "${DVC_SSH_KEYFILE:-}"
    ;;
s3)
    set_option access_key_id "${AWS_ACCESS_KEY_ID:-}"
    set_option secret_access_key "${AWS_SECRET_ACCESS_KEY:-}"
    set_option endpointurl "${S3_ENDPOINT_URL:-}"
    ;;
webdav)
    set_option user "${WEBDAV_USER:-}"
    set_option password "${WEBDAV_PASSWORD:-}"
    ;;
esac
echo "remote.sh: DVC remote '$kind' ($url) is now the default for this clone (.dvc/config.local)"
