"""Identity's HTTP routes: `accounts` (admin), `auth` (sign-in, tokens, MFA, JWKS)."""
