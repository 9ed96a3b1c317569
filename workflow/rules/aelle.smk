rule assemble:
    input:
        spectra=lambda w: spectrum_outputs(w.task),
        records=lambda w: train_outputs(w.task),
    output:
        "results/aelle/{task}/table.parquet",
    log:
        "logs/aelle/{task}/assemble.log",
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
    input:
        "results/aelle/{task}/table.parquet",
    output:
        directory("results/aelle/{task}/{analysis}/{arch}/fit"),
    log:
        "logs/aelle/{task}/{analysis}_{arch}_fit.log",
    benchmark:
        "results/benchmarks/aelle/{task}/{analysis}_{arch}_fit.tsv"
    conda:
        "../../envs/aelle.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        cfg=config["aelle"],
        seed=config["seed"],
    script:
        "../scripts/fit_aelle.py"


rule evaluate_aelle:
    input:
        table="results/aelle/{task}/table.parquet",
        fit="results/aelle/{task}/{analysis}/{arch}/fit",
    output:
        metrics="results/aelle/{task}/{analysis}/{arch}/metrics.json",
        predictions="results/aelle/{task}/{analysis}/{arch}/predictions.parquet",
    log:
        "logs/aelle/{task}/{analysis}_{arch}_evaluate.log",
    conda:
        "../../envs/aelle.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        cfg=config["aelle"],
        seed=config["seed"],
    script:
        "../scripts/evaluate_aelle.py"


rule aelle:
    input:
        phase_outputs("aelle"),
