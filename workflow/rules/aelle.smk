rule assemble:
    input:
        spectra=lambda w: spectrum_outputs(w.task),
        records=lambda w: train_outputs(w.task),
    output:
        results_path("aelle/{task}/table.parquet"),
    log:
        log_path("aelle/{task}/assemble.log"),
    conda:
        "../../envs/aelle.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        length=config["aelle"]["length"],
        method=config["aelle"]["resample"],
    script:
        "../scripts/assemble.py"


rule fit_aelle:
    # Fit and evaluation of one analysis in one job: the table, torch and sklearn load once.
    input:
        results_path("aelle/{task}/table.parquet"),
    output:
        fit=directory(results_path("aelle/{task}/{analysis}/{arch}/fit")),
        metrics=results_path("aelle/{task}/{analysis}/{arch}/metrics.json"),
        predictions=results_path("aelle/{task}/{analysis}/{arch}/predictions.parquet"),
    log:
        log_path("aelle/{task}/{analysis}_{arch}.log"),
    benchmark:
        results_path("benchmarks/aelle/{task}/{analysis}_{arch}.tsv")
    conda:
        "../../envs/aelle.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=90,
    params:
        cfg=config["aelle"],
        seed=config["seed"],
    script:
        "../scripts/fit_aelle.py"


rule aelle:
    input:
        phase_outputs("aelle"),
