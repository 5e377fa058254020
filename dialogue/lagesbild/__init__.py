"""The lägesbild: a period's accepted input aggregated, frozen as snapshots and reported back."""
