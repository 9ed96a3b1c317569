rule train_shard:
    input:
        data=data_path("prepared/{task}.pt"),
    output:
        checkpoints=directory(
            results_path("train/{task}/{arch}_h{size}/shard{shard}/checkpoints")
        ),
        records=results_path("train/{task}/{arch}_h{size}/shard{shard}/records.parquet"),
    log:
        log_path("train/{task}/{arch}_h{size}_shard{shard}.log"),
    benchmark:
        results_path("benchmarks/train/{task}/{arch}_h{size}_shard{shard}.tsv")
    conda:
        torch_env()
    threads: 1
    resources:
        mem_mb=4000,
        runtime=120,
    params:
        shard=lambda w: {
            "task": w.task,
            "arch": w.arch,
            "size": int(w.size),
            "indices": shard_indices(w.task, w.arch, w.shard),
            "p_range": task_cfg(w)["architectures"][w.arch]["p_range"],
        },
        training=lambda w: task_cfg(w)["training"],
        seed=config["seed"],
        device=config["device"],
    script:
        "../scripts/train_shard.py"


rule train:
    input:
        phase_outputs("train"),
