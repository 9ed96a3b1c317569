#!/usr/bin/env bash
# Publish a finished workflow run: record the outputs of its dvc.yaml stages (<phase>@<run>,
# <run> from the config's `run:` key) in dvc.lock (`dvc commit`) and push them to the DVC
# remote; other runs' stages are left alone. Refuses while Snakemake still has jobs to run,
# so a partial run is never published. Then commit dvc.lock with git so that clones can pull.
# Environment: CONFIG (default config/config.yaml); REMOTE (a DVC remote name, default: the
# default remote of .dvc/config, which .dvc/config.local may override).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/dvc/lib.sh
config=${CONFIG:-config/config.yaml}
run=$(python tools/run_name.py "$config")
stages=$(run_stages "$config" "$run" "publish" data train spectra aelle figures)

pending=$(pending_outputs "$config" all)
if [[ -n $pending ]]; then
    echo "publish: run '$run' is not finished; these outputs are missing or out of date:" >&2
    printf '%s\n' "$pending" >&2
    echo "publish: run 'make run CONFIG=$config' first; nothing was published." >&2
    exit 1
fi
# shellcheck disable=SC2086  # one stage name per word
dvc commit --force --quiet $stages
# shellcheck disable=SC2086
dvc push ${REMOTE:+--remote "$REMOTE"} $stages
echo "publish: run '$run' pushed. Share it with: git add dvc.lock && git commit -m 'Publish results' && git push"
