"""A `sitecustomize` that snapshots a service's Python allocations (diagnosis only)."""
