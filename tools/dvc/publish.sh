#!/usr/bin/env bash
# Publish a finished workflow run: record its outputs in dvc.lock (`dvc commit`) and push
# them to the DVC remote. Refuses while Snakemake still has jobs to run, so a partial run
# is never published. Then commit dvc.lock with git so that clones can pull.
# Environment: CONFIG (default config/config.yaml); REMOTE (a DVC remote name, default: the
# default remote of .dvc/config, which .dvc/config.local may override).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/dvc/lib.sh
config=${CONFIG:-config/config.yaml}

pending=$(pending_outputs "$config" all)
if [[ -n $pending ]]; then
    echo "publish: the workflow run is not finished; these outputs are missing or out of date:" >&2
    printf '%s\n' "$pending" >&2
    echo "publish: run 'make run' first; nothing was published." >&2
    exit 1
fi
dvc commit --force --quiet
dvc push ${REMOTE:+--remote "$REMOTE"}
echo "publish: outputs pushed. Share them with: git add dvc.lock && git commit -m 'Publish results' && git push"
