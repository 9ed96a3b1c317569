from snakemake.utils import min_version

min_version("9.0")


# The offline default applies only when no --configfile is given: a config passed on the
# command line is the whole experiment, never merged over the default.
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/lyapunov.smk"
include: "workflow/rules/aelle.smk"
include: "workflow/rules/figures.smk"


rule all:
    default_target: True
    input:
        phase_outputs("figures"),
        [config["record"]] if config["record"] else [],
