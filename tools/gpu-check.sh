#!/usr/bin/env bash
# On a machine with a CUDA GPU: check that the GPU path trains and computes spectra equal
# to the CPU's (tests/unit/test_cuda.py and the training tests run with device "auto"),
# then run the training and Lyapunov benchmarks on the GPU.
# Usage: bash tools/gpu-check.sh [LOG_DIR]   (PYTHON=... to use another interpreter)
set -u
log_dir=${1:-results/gpu-check}
python=${PYTHON:-.venv/bin/python}
mkdir -p "$log_dir"
export PYTHONPATH=src${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
nvidia-smi -L
"$python" -c 'import sys, torch; print("torch", torch.__version__, "python", sys.version.split()[0], "cuda", torch.cuda.is_available())'
status=0
timeout 200 "$python" -m pytest -q -p no:cacheprovider tests/unit/test_cuda.py \
    tests/unit/test_training.py tests/unit/test_runtime.py \
    2>&1 | tee "$log_dir/pytest.log" | tail -25
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
timeout 180 "$python" benchmarks/training.py --device cuda 2>&1 | tee "$log_dir/bench-cuda.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
timeout 100 "$python" benchmarks/training.py --device cuda --networks 128 --case smnist-lstm \
    --repeat 1 2>&1 | tee "$log_dir/bench-cuda-k128.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
timeout 200 "$python" benchmarks/lyapunov.py --device cuda 2>&1 | tee "$log_dir/bench-lyapunov-cuda.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
exit "$status"
