"""The environment variable of prometheus_client's multiprocess mode, importable without
importing prometheus_client (which reads it once, when first imported)."""
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
