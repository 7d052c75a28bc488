"""Benchmarks of the event kernel (`uponyaji_events`); run them with `make bench`."""
