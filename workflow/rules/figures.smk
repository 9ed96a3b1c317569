from aelle.plots.index import report_labels


rule task_figures:
    # The population and convergence figures of a task in one job (one matplotlib start-up).
    input:
        table=results_path("aelle/{task}/table.parquet"),
        convergence=results_path("spectra/{task}/convergence.npy"),
    output:
        population=report(
            directory(results_path("figures/{task}/population")),
            patterns=["{family}.png"],
            caption="../report/population.rst",
            category="{task}",
            subcategory="population",
            labels=lambda w: report_labels(w.family),
        ),
        convergence=report(
            directory(results_path("figures/{task}/convergence")),
            patterns=["{family}.png"],
            caption="../report/convergence.rst",
            category="{task}",
            subcategory="spectra",
            labels=lambda w: report_labels(w.family),
        ),
    log:
        log_path("figures/{task}/task.log"),
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
        data=data_path("prepared/{task}.pt"),
        records=lambda w: train_outputs(w.task),
        checkpoints=lambda w: [
            f"{population_dir(w.task, arch, size, shard)}/checkpoints"
            for arch, size in populations(w.task)
            for shard in shards(w.task, arch)
        ],
    output:
        arrays=results_path("figures/{task}/examples.npz"),
        figures=report(
            directory(results_path("figures/{task}/examples")),
            patterns=["{family}.png"],
            caption="../report/examples.rst",
            category="{task}",
            subcategory="task examples",
            labels=lambda w: report_labels(w.family),
        ),
    log:
        log_path("figures/{task}/examples.log"),
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
        fit=results_path("aelle/{task}/{analysis}/{arch}/fit"),
        metrics=results_path("aelle/{task}/{analysis}/{arch}/metrics.json"),
        predictions=results_path("aelle/{task}/{analysis}/{arch}/predictions.parquet"),
    output:
        report(
            directory(results_path("figures/{task}/{analysis}-{arch}")),
            patterns=["{family}.png"],
            caption="../report/analysis.rst",
            category="{task}",
            subcategory="{analysis} {arch}",
            labels=lambda w: report_labels(w.family),
        ),
    log:
        log_path("figures/{task}/{analysis}_{arch}.log"),
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
        results_path("figures/INDEX.md"),
    log:
        log_path("figures/index.log"),
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
        charrnn=(
            [data_path("prepared/charrnn.pt")] if "charrnn" in config["tasks"] else []
        ),
    output:
        metrics=results_path("metrics.json"),
        summary=results_path("summary.md"),
    log:
        log_path("aelle/summary.log"),
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
        results_path("summary.md"),
    output:
        report(
            results_path("report/summary.html"),
            caption="../report/summary.rst",
            category="Overview",
            subcategory="summary",
            labels={"item": "headline and detailed tables"},
        ),
    log:
        log_path("report/summary_page.log"),
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
            results_path("report/run-times.html"),
            caption="../report/run_times.rst",
            category="Overview",
            subcategory="run times",
            labels={"item": "run times per phase and job"},
        ),
    log:
        log_path("report/run_times.log"),
    conda:
        "../../envs/aelle.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        benchmarks=results_path("benchmarks"),
    script:
        "../scripts/run_times.py"


rule record:
    # The run's record kept in git (config key `record`, e.g. docs/study).
    input:
        summary=results_path("summary.md"),
        metrics=results_path("metrics.json"),
        index=results_path("figures/INDEX.md"),
    output:
        directory(config["record"] or "record"),
    log:
        log_path("figures/record.log"),
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
