"""Identity's command handlers: load a stream, decide, append with the read tables, side effects.

`accounts` holds the admin commands (accounts and teams), `auth` login, refresh and logout,
`mfa` authenticator enrolment and password changes.
"""
