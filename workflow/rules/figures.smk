from aelle.plots.index import report_labels


rule task_figures:
    # The population and convergence figures of a task in one job (one matplotlib start-up).
    input:
        table="results/aelle/{task}/table.parquet",
        convergence="results/spectra/{task}/convergence.npy",
    output:
        population=report(
            directory("results/figures/{task}/population"),
            patterns=["{family}.png"],
            caption="../report/population.rst",
            category="{task}",
            subcategory="population",
            labels=lambda w: report_labels(w.family),
        ),
        convergence=report(
            directory("results/figures/{task}/convergence"),
            patterns=["{family}.png"],
            caption="../report/convergence.rst",
            category="{task}",
            subcategory="spectra",
            labels=lambda w: report_labels(w.family),
        ),
    log:
        "logs/figures/{task}/task.log",
    conda:
        "../../envs/aelle.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        log_base=config["log_base"],
        qr_every=lambda w: task_cfg(w)["spectrum"]["qr_every"],
    script:
        "../scripts/task_figures.py"


rule task_examples:
    # Runs the good, middling and bad networks and draws them, in one job.
    input:
        data="data/prepared/{task}.pt",
        records=lambda w: train_outputs(w.task),
        checkpoints=lambda w: [
            f"{population_dir(w.task, arch, size, shard)}/checkpoints"
            for arch, size in populations(w.task)
            for shard in shards(w.task, arch)
        ],
    output:
        arrays="results/figures/{task}/examples.npz",
        figures=report(
            directory("results/figures/{task}/examples"),
            patterns=["{family}.png"],
            caption="../report/examples.rst",
            category="{task}",
            subcategory="task examples",
            labels=lambda w: report_labels(w.family),
        ),
    log:
        "logs/figures/{task}/examples.log",
    conda:
        "../../envs/aelle.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        final_checkpoints=lambda w: final_checkpoints(w.task),
    script:
        "../scripts/task_examples.py"


rule analysis_figures:
    input:
        fit="results/aelle/{task}/{analysis}/{arch}/fit",
        metrics="results/aelle/{task}/{analysis}/{arch}/metrics.json",
        predictions="results/aelle/{task}/{analysis}/{arch}/predictions.parquet",
    output:
        report(
            directory("results/figures/{task}/{analysis}-{arch}"),
            patterns=["{family}.png"],
            caption="../report/analysis.rst",
            category="{task}",
            subcategory="{analysis} {arch}",
            labels=lambda w: report_labels(w.family),
        ),
    log:
        "logs/figures/{task}/{analysis}_{arch}.log",
    conda:
        "../../envs/aelle.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        log_base=config["log_base"],
    script:
        "../scripts/analysis_figures.py"


rule figure_index:
    input:
        [d for task in TASKS for d in figure_dirs(task)],
    output:
        "results/figures/INDEX.md",
    log:
        "logs/figures/index.log",
    conda:
        "../../envs/aelle.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/figure_index.py"


rule summary:
    input:
        metrics=phase_outputs("aelle"),
        records=[r for task in config["tasks"] for r in train_outputs(task)],
        charrnn=["data/prepared/charrnn.pt"] if "charrnn" in config["tasks"] else [],
    output:
        metrics="results/metrics.json",
        summary="results/summary.md",
    log:
        "logs/aelle/summary.log",
    conda:
        "../../envs/aelle.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/summary.py"


rule summary_page:
    input:
        "results/summary.md",
    output:
        report(
            "results/report/summary.html",
            caption="../report/summary.rst",
            category="Overview",
            subcategory="summary",
            labels={"item": "headline and detailed tables"},
        ),
    log:
        "logs/report/summary_page.log",
    conda:
        "../../envs/aelle.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/summary_page.py"


rule run_times:
    input:
        phase_outputs("train") + phase_outputs("spectra") + phase_outputs("aelle"),
        note=lambda w: reproduce_note(),
    output:
        report(
            "results/report/run-times.html",
            caption="../report/run_times.rst",
            category="Overview",
            subcategory="run times",
            labels={"item": "run times per phase and job"},
        ),
    log:
        "logs/report/run_times.log",
    conda:
        "../../envs/aelle.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        benchmarks="results/benchmarks",
    script:
        "../scripts/run_times.py"


rule record:
    # The run's record kept in git (config key `record`, e.g. docs/study).
    input:
        summary="results/summary.md",
        metrics="results/metrics.json",
        index="results/figures/INDEX.md",
    output:
        directory(config["record"] or "record"),
    log:
        "logs/figures/record.log",
    conda:
        "../../envs/aelle.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        figures=lambda w, input: os.path.dirname(input.index),
    script:
        "../scripts/record.py"


rule figures:
    input:
        phase_outputs("figures"),
