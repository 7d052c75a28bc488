-- Identity's tables. Read tables (projections of the account and team streams) first; then the
-- write-side state that is deliberately NOT in the event log: credentials, sessions, throttling
-- and signing keys. Secrets in these tables are sealed (AES-256-GCM under a data key wrapped by
-- the KEK, which is never in the database) or hashed.

-- Projection of account streams (identity.projections).
CREATE TABLE accounts (
    staff_id      uuid PRIMARY KEY,
    username      text NOT NULL UNIQUE,          -- usernames are never reused
    display_name  text NOT NULL,                 -- sealed (subject = staff_id)
    roles         text[] NOT NULL,
    active        boolean NOT NULL,
    mfa_credential uuid NULL,                    -- the confirmed authenticator
    mfa_pending   uuid NULL,                     -- enrolled, waiting for its first code
    must_change_password boolean NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    version       integer NOT NULL
);

-- Projection of team streams.
CREATE TABLE teams (
    team_id     uuid PRIMARY KEY,
    name        text NOT NULL,
    county_code text NULL,
    created_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX teams_name_key ON teams (lower(name));

-- Projection: who is on which team.
CREATE TABLE team_members (
    team_id   uuid NOT NULL,
    staff_id  uuid NOT NULL,
    joined_at timestamptz NOT NULL,
    PRIMARY KEY (team_id, staff_id)
);
CREATE INDEX team_members_staff ON team_members (staff_id);

-- Write side, not in events: the current password of each account (sealed argon2id hash).
CREATE TABLE credentials (
    staff_id      uuid PRIMARY KEY,
    password_hash text NOT NULL,                 -- sealed, context identity.credentials/password_hash
    changed_at    timestamptz NOT NULL
);

-- Write side, not in events: TOTP authenticators (sealed secrets) and the last step each accepted.
CREATE TABLE mfa_credentials (
    credential_id uuid PRIMARY KEY,
    staff_id      uuid NOT NULL,
    secret        text NOT NULL,                 -- sealed, context identity.mfa_credentials/secret
    created_at    timestamptz NOT NULL,
    confirmed_at  timestamptz NULL,
    revoked_at    timestamptz NULL,
    last_step     bigint NULL                    -- RFC 6238 §5.2: only later steps are accepted
);
CREATE INDEX mfa_credentials_staff ON mfa_credentials (staff_id);

-- Login sessions: one per login; the refresh-token family and the `sid` claim.
CREATE TABLE sessions (
    sid           uuid PRIMARY KEY,
    staff_id      uuid NOT NULL,
    started_at    timestamptz NOT NULL,
    last_used_at  timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,          -- absolute limit (8 h after login)
    revoked_at    timestamptz NULL,
    revoked_reason text NULL
);
CREATE INDEX sessions_live_by_staff ON sessions (staff_id) WHERE revoked_at IS NULL;
CREATE INDEX sessions_revoked_at ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;

-- Refresh tokens: only their SHA-256; `used_at` set when rotated (a reuse revokes the session).
CREATE TABLE refresh_tokens (
    token_hash bytea PRIMARY KEY,
    sid        uuid NOT NULL REFERENCES sessions (sid) ON DELETE CASCADE,
    issued_at  timestamptz NOT NULL,
    used_at    timestamptz NULL
);
CREATE INDEX refresh_tokens_sid ON refresh_tokens (sid);

-- Failed sign-ins per username (SHA-256 of the normalised name, known or not).
CREATE TABLE login_throttle (
    subject      bytea PRIMARY KEY,
    failures     integer NOT NULL,
    locked_until timestamptz NULL,
    updated_at   timestamptz NOT NULL
);

-- Ed25519 token-signing keys; the private key sealed (subject identity-signing-keys).
CREATE TABLE signing_keys (
    kid           text PRIMARY KEY,
    public_jwk    jsonb NOT NULL,
    private_key   text NOT NULL,                 -- sealed, context identity.signing_keys/<kid>
    created_at    timestamptz NOT NULL,
    retired_at    timestamptz NULL,              -- no longer signs
    publish_until timestamptz NULL               -- dropped from the JWKS after this
);
