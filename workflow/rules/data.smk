localrules:
    download,


rule download:
    # One job per remote file, on the machine that runs Snakemake (compute nodes of a
    # cluster often have no internet): timeout, retries and sha256 check in aelle.downloads.
    output:
        data_path("raw/{task}/{name}"),
    log:
        log_path("download/{task}/{name}.log"),
    conda:
        "../../envs/aelle.yaml"
    threads: 1
    params:
        remote=lambda w: asdict(DOWNLOADS[(w.task, w.name)]),
    script:
        "../scripts/download.py"


rule prepare_data:
    input:
        lambda w: list(task_input_files(w.task).values()),
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
        data=lambda w: with_local_files(task_cfg(w)["data"], task_input_files(w.task)),
        seed=config["seed"],
    script:
        "../scripts/prepare_data.py"


rule data:
    input:
        phase_outputs("data"),
