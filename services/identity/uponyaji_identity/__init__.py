"""Uponyaji identity: staff accounts, roles, teams, MFA, sessions and token signing keys.

See docs/identity.md for the API, the token contract and where secrets live.
"""
