rule spectrum_shard:
    input:
        data="data/prepared/{task}.pt",
        checkpoints="results/train/{task}/{arch}_h{size}/shard{shard}/checkpoints",
    output:
        "results/spectra/{task}/{arch}_h{size}/shard{shard}/e{epoch}_{input_set}.parquet",
    params:
        spectrum=lambda w: task_cfg(w)["spectrum"],
        seed=config["seed"],
        log_base=config["log_base"],
        device=config["device"],
    log:
        "logs/spectra/{task}/{arch}_h{size}_shard{shard}_e{epoch}_{input_set}.log",
    benchmark:
        "results/benchmarks/spectra/{task}/{arch}_h{size}_shard{shard}_e{epoch}_{input_set}.tsv"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=120,
    conda:
        "../../envs/aelle.yaml"
    script:
        "../scripts/spectrum_shard.py"


rule convergence:
    input:
        data="data/prepared/{task}.pt",
        checkpoints=lambda w: population_dir(w.task, *populations(w.task)[0], 0)
        + "/checkpoints",
    output:
        "results/spectra/{task}/convergence.npy",
    params:
        spectrum=lambda w: task_cfg(w)["spectrum"],
        epoch=lambda w: task_cfg(w)["training"]["epochs"],
        seed=config["seed"],
        log_base=config["log_base"],
    log:
        "logs/spectra/{task}/convergence.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    conda:
        "../../envs/aelle.yaml"
    script:
        "../scripts/convergence.py"


rule spectra:
    input:
        phase_outputs("spectra"),
