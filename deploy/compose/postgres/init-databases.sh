#!/bin/sh
# First start of the PostgreSQL container only (docker-entrypoint-initdb.d): one role and one database per
# service, each owned by its role, so that no service can read another's data. Passwords come from .env.
set -eu
for service in gateway mlflow keycloak; do
  case "$service" in
    gateway) password="$GATEWAY_DB_PASSWORD" ;;
    mlflow) password="$MLFLOW_DB_PASSWORD" ;;
    keycloak) password="$KEYCLOAK_DB_PASSWORD" ;;
  esac
  # psql variables (:'pw', :"name") quote the values, whatever characters the passwords contain.
  psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres -v name="$service" -v pw="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'pw';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
done
