rule prepare_data:
    output:
        data_path("prepared/{task}.pt"),
    log:
        log_path("prepare_data/{task}.log"),
    conda:
        "../../envs/aelle.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        data=lambda w: task_cfg(w)["data"],
        seed=config["seed"],
    script:
        "../scripts/prepare_data.py"


rule data:
    input:
        phase_outputs("data"),
