rule prepare_data:
    output:
        "data/prepared/{task}.pt",
    params:
        data=lambda w: task_cfg(w)["data"],
        seed=config["seed"],
    log:
        "logs/prepare_data/{task}.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    conda:
        "../../envs/aelle.yaml"
    script:
        "../scripts/prepare_data.py"


rule data:
    input:
        phase_outputs("data"),
