"""Jobs, the command line and the Dagster definitions of the observatoire."""
