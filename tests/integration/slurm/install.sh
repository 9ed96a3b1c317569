#!/usr/bin/env bash
# Install Debian's SLURM (slurmctld, slurmd, client tools) and munge if any is missing.
# Idempotent: does nothing when every binary is already installed (on PATH or in /usr/sbin).
# Installing needs root (CI runs as root).
set -euo pipefail

need=(munged slurmctld slurmd sbatch srun squeue sinfo scontrol scancel)
missing=0
for cmd in "${need[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || [[ -x /usr/sbin/$cmd ]] || missing=1
done
if [[ $missing -eq 0 ]]; then
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "install.sh: SLURM or munge is missing and installing them needs root" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
