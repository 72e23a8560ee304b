#!/bin/sh
# 10-milk-roles.sh — run once by the postgres image when it creates its
# data volume (/docker-entrypoint-initdb.d), as the image's superuser
# (POSTGRES_USER), which nothing else uses afterwards:
#
#   milk_owner    owns the database, its tables and functions; only
#                 `milk-diary-server migrate` logs in as it
#   milk_service  the service's login: no superuser, does not bypass
#                 row-level security, owns nothing; migrate grants it
#                 reading and writing rows
#
# Copyright 2026 The Milk Diary authors
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v owner_password="${MILK_OWNER_PASSWORD:?set MILK_OWNER_PASSWORD}" \
     -v service_password="${MILK_SERVICE_PASSWORD:?set MILK_SERVICE_PASSWORD}" <<'SQL'
CREATE ROLE milk_owner LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
CREATE ROLE milk_service LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'service_password';
-- The owner of the database also owns its public schema (PostgreSQL 15+).
ALTER DATABASE :"DBNAME" OWNER TO milk_owner;
REVOKE ALL ON DATABASE :"DBNAME" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"DBNAME" TO milk_owner, milk_service;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
