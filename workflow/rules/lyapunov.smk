rule spectrum_shard:
    # One job per shard measures every (epoch, input set): data, inputs and torch load once.
    input:
        data=data_path("prepared/{task}.pt"),
        checkpoints=results_path("train/{task}/{arch}_h{size}/shard{shard}/checkpoints"),
    output:
        results_path("spectra/{task}/{arch}_h{size}/shard{shard}.parquet"),
    log:
        log_path("spectra/{task}/{arch}_h{size}_shard{shard}.log"),
    benchmark:
        results_path("benchmarks/spectra/{task}/{arch}_h{size}_shard{shard}.tsv")
    conda:
        torch_env()
    threads: 1
    resources:
        mem_mb=4000,
        runtime=120,
    params:
        pairs=lambda w: spectrum_jobs(w.task),
        spectrum=lambda w: task_cfg(w)["spectrum"],
        seed=config["seed"],
        device=config["device"],
    script:
        "../scripts/spectrum_shard.py"


rule convergence:
    input:
        data=data_path("prepared/{task}.pt"),
        checkpoints=lambda w: f"{population_dir(w.task, *populations(w.task)[0], 0)}/checkpoints",
    output:
        results_path("spectra/{task}/convergence.npy"),
    log:
        log_path("spectra/{task}/convergence.log"),
    conda:
        torch_env()
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        spectrum=lambda w: task_cfg(w)["spectrum"],
        epoch=lambda w: task_cfg(w)["training"]["epochs"],
        seed=config["seed"],
    script:
        "../scripts/convergence.py"


rule spectra:
    input:
        phase_outputs("spectra"),
