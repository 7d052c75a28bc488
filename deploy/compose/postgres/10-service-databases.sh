#!/bin/sh
# First start of the PostgreSQL container: for every service, its database, an owner role that
# migrates and a runtime role the service runs as, with the passwords from the service's passfile
# (mounted as /run/secrets/<service>.pgpass: "host:port:db:role:password", owner line first;
# SECRETS_DIR points elsewhere for a test run).
set -eu
for passfile in "${SECRETS_DIR:-/run/secrets}"/*.pgpass; do
    service=$(basename "$passfile" .pgpass)
    owner_password=$(sed -n 1p "$passfile" | cut -d: -f5-)
    app_password=$(sed -n 2p "$passfile" | cut -d: -f5-)
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -v service="$service" -v owner="${service}_owner" -v app="${service}_app" \
        -v owner_password="$owner_password" -v app_password="$app_password" <<'SQL'
CREATE ROLE :"owner" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'owner_password';
CREATE ROLE :"app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'app_password';
CREATE DATABASE :"service" OWNER :"owner";
REVOKE ALL ON DATABASE :"service" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"service" TO :"app";
\connect :"service"
ALTER SCHEMA public OWNER TO :"owner";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app";
SQL
done
