"""A stand-in service for the launcher's tests: it exercises the whole service contract."""
