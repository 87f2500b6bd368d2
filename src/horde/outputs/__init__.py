"""Where a run's results go besides the reports: live metrics for Prometheus."""
