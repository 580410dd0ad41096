"""Many replications: run settings, the runner, sweeps, executors (process pool,
Dask), the on-disk result store, and output analysis (confidence intervals,
paired comparisons, warm-up and replication counts)."""
