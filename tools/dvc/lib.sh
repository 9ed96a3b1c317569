# Shared by publish.sh and reproduce.sh (sourced, not run).

# pending_outputs CONFIG TARGET...: print "  PATH (rule RULE, STATUS)" for every output in the
# DAG of TARGET... that Snakemake would (re)build, nothing when all are current. Uses
# `snakemake --summary`, whose TSV columns are output_file, date, rule, log-file(s), status, plan.
pending_outputs() {
    local config=$1
    shift
    local table
    if ! table=$(snakemake --configfile "$config" --summary "$@" 2>&1); then
        printf '%s\n' "$table" >&2
        echo "Snakemake could not plan the targets $* with $config (see above)." >&2
        return 1
    fi
    printf '%s\n' "$table" |
        awk -F'\t' 'NF == 6 && $1 != "output_file" && $6 != "no update" {
            printf "  %s (rule %s, %s)\n", $1, $3, $5 }'
}

# run_stages CONFIG RUN WHO [--published] PHASE...: print the run's dvc.yaml stages
# (PHASE@RUN, one per line) after tools/dvc/run_stages.py checked that dvc.yaml lists the run
# with CONFIG (and, with --published, that dvc.lock records them); otherwise print its one
# line prefixed with WHO and fail.
run_stages() {
    local config=$1 run=$2 who=$3
    shift 3
    local out
    if ! out=$(python tools/dvc/run_stages.py "$run" "$config" "$@" 2>&1); then
        echo "$who: $out" >&2
        return 1
    fi
    printf '%s\n' "$out"
}
