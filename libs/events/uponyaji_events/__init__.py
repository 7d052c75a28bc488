"""Uponyaji event kernel: envelope, store, relay, consumers, feeds, projections and sealing."""
