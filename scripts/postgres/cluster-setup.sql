-- NodeDB: once per PostgreSQL cluster, as a superuser (see docs/operations.md, "PostgreSQL tenants").
-- The role that owns every tenant database's run ledger and its functions. It never logs in.
CREATE ROLE nodedb_ledger_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
