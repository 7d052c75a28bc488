"""The container image's entry point: `uponyaji-serve <service>` serves one Uponyaji service."""
