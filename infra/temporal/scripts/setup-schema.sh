#!/bin/sh
# One-shot job (temporalio/admin-tools image): creates Temporal's two PostgreSQL databases and brings their
# schemas to the version this admin-tools release ships. Safe to run on every `docker compose up`:
# `create` ignores an existing database and `update-schema` applies only the versions not yet applied.
set -eu

: "${POSTGRES_SEEDS:=postgresql}"
: "${POSTGRES_USER:=temporal}"
: "${DB_PORT:=5432}"
# temporal-sql-tool reads the password from SQL_PASSWORD.
: "${SQL_PASSWORD:?SQL_PASSWORD must be set (POSTGRES_PASSWORD in .env)}"
SCHEMA_ROOT=/etc/temporal/schema/postgresql/v12

sql() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$DB_PORT" "$@"
}

echo "waiting for PostgreSQL at $POSTGRES_SEEDS:$DB_PORT"
until nc -z "$POSTGRES_SEEDS" "$DB_PORT"; do sleep 1; done

sql --db temporal create
sql --db temporal setup-schema -v 0.0
sql --db temporal update-schema -d "$SCHEMA_ROOT/temporal/versioned"

sql --db temporal_visibility create
sql --db temporal_visibility setup-schema -v 0.0
sql --db temporal_visibility update-schema -d "$SCHEMA_ROOT/visibility/versioned"

echo "Temporal schema is up to date"
