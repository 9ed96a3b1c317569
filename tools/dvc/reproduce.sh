#!/usr/bin/env bash
# Rebuild the figures, metrics, summary and report from published artifacts; never train.
#  1. drop corrupted objects of those stages from the local DVC cache (verify_cache.py), then
#     `dvc pull` the outputs of the data, train, spectra and aelle stages;
#  2. `snakemake --touch` those phase targets: a pull leaves arbitrary file times and a fresh
#     clone has no .snakemake metadata, so this marks the pulled artifacts current;
#  3. refuse, listing them, if Snakemake would still rebuild any output of those phases
#     (an artifact missing or stale on the remote) instead of recomputing it here;
#  4. run the workflow's default target (figures, results/metrics.json, results/summary.md)
#     and write the HTML report to results/report.html.
# Environment: CONFIG (default config/config.yaml), CORES (default all), REMOTE (a DVC remote
# name; default: the default remote, which .dvc/config.local may override).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/dvc/lib.sh
config=${CONFIG:-config/config.yaml}
cores=${CORES:-all}
phases=(data train spectra aelle)

python tools/dvc/verify_cache.py "${phases[@]}"
if ! dvc pull ${REMOTE:+--remote "$REMOTE"} "${phases[@]}"; then
    echo "reproduce: 'dvc pull' failed (see above): the remote is unreachable or lacks published" \
        "artifacts. Nothing was recomputed." >&2
    exit 1
fi
mkdir -p logs
if ! snakemake --configfile "$config" --cores 1 --touch "${phases[@]}" >logs/reproduce-touch.log 2>&1; then
    cat logs/reproduce-touch.log >&2
    echo "reproduce: marking the pulled artifacts current failed (see above)." >&2
    exit 1
fi
pending=$(pending_outputs "$config" "${phases[@]}")
if [[ -n $pending ]]; then
    echo "reproduce: these artifacts are missing or out of date after the pull:" >&2
    printf '%s\n' "$pending" >&2
    echo "reproduce: refusing to recompute them; the producer must run 'make publish'." >&2
    exit 1
fi
snakemake --configfile "$config" --cores "$cores"
snakemake --configfile "$config" --cores 1 --report results/report.html
