"""Items of the Snakemake HTML report that are not figures: the summary tables rendered as
HTML and the run times read from the workflow's benchmark files."""
