#!/usr/bin/env bash
# Rebuild one run's figures, metrics, summary and report from its published artifacts; never
# train. The run is the config's `run:` key; its published artifacts are the outputs of its
# dvc.yaml stages data@<run>, train@<run>, spectra@<run>, aelle@<run>.
#  0. stop with one line if dvc.yaml does not list the run or dvc.lock records none of it
#     (nothing published): `make publish CONFIG=...` on the producer's machine comes first;
#  1. drop corrupted objects of those outputs from the local DVC cache (verify_cache.py) and
#     `dvc pull` them; stop if the pull fails;
#  2. warn if this checkout's code or config differs from the run recorded in dvc.lock;
#  3. `snakemake --touch --forceall` on those phase targets: a pull leaves arbitrary file times
#     and a fresh clone has no .snakemake metadata, so every pulled artifact is re-stamped in
#     DAG order (--forceall: a future-dated input would otherwise fail the touch;
#     --keep-incomplete: a failed touch must never delete pulled files);
#  4. refuse, listing them, if Snakemake would still rebuild any output of those phases (an
#     artifact missing from the remote) instead of recomputing it here;
#  5. run the workflow's default target (figures, metrics.json, summary.md, the report items
#     under results/<run>/) and write the HTML report to results/<run>/report.html, whose
#     run-times item reads the note results/<run>/reproduced.json written after the pull.
# Environment: CONFIG (default config/config.yaml), CORES (default all), REMOTE (a DVC remote
# name; default: the default remote, which .dvc/config.local may override).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/dvc/lib.sh
config=${CONFIG:-config/config.yaml}
cores=${CORES:-all}
phases=(data train spectra aelle)
run=$(python tools/run_name.py "$config")
stages=$(run_stages "$config" "$run" "reproduce" --published "${phases[@]}")
results=results/$run

# shellcheck disable=SC2086  # one stage name per word
python tools/dvc/verify_cache.py $stages
# shellcheck disable=SC2086
if ! dvc pull ${REMOTE:+--remote "$REMOTE"} $stages; then
    echo "reproduce: 'dvc pull' failed (see above): the remote is unreachable or lacks" \
        "published artifacts. Nothing was recomputed." >&2
    exit 1
fi
# For the report: its run-times item then gives the producer's times from the pulled
# benchmark files and says the artifacts were pulled (Statistics shows ~0 s for them).
mkdir -p "$results"
printf '{"pulled_at": "%s", "remote": "%s"}\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    "${REMOTE:-}" >"$results/reproduced.json"

# shellcheck disable=SC2086
status=$(dvc status $stages)
if [[ $status != "Data and pipelines are up to date." ]]; then
    echo "reproduce: warning: this checkout's code or config differs from the run that" \
        "produced the artifacts (dvc status):" >&2
    printf '%s\n' "$status" >&2
fi

mkdir -p "logs/$run"
touch_log=logs/$run/reproduce-touch.log
if ! snakemake --configfile "$config" --cores 1 --touch --forceall --keep-incomplete \
    "${phases[@]}" >"$touch_log" 2>&1; then
    cat "$touch_log" >&2
    echo "reproduce: marking the pulled artifacts current failed (see above)." >&2
    exit 1
fi

pending=$(pending_outputs "$config" "${phases[@]}")
if [[ -n $pending ]]; then
    echo "reproduce: these artifacts are missing after the pull:" >&2
    printf '%s\n' "$pending" >&2
    echo "reproduce: refusing to recompute them; the producer must run" \
        "'make publish CONFIG=$config'." >&2
    exit 1
fi

snakemake --configfile "$config" --cores "$cores"
snakemake --configfile "$config" --cores 1 --report "$results/report.html"
