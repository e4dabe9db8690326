-- NodeDB: once per tenant, as a superuser, connected to the tenant's (new, empty) database. See docs/operations.md.
--   psql -d nodedb_acme -v database=nodedb_acme -v tenant_role=tenant_acme \
--        -v tenant_password="$PASSWORD" -v ledger_key="$NODEDB_LEDGER_KEY" -f scripts/postgres/tenant-setup.sql
-- ledger_key is the silo setting Sql:PostgresLedgerKey, the same for every tenant; tenant roles can never read it.

-- The tenant's login: no superuser, no CREATEROLE/CREATEDB/REPLICATION/BYPASSRLS, and member of no role at all, so
-- neither pg_read_server_files, pg_write_server_files, pg_execute_server_program nor pg_signal_backend.
CREATE ROLE :"tenant_role" LOGIN PASSWORD :'tenant_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT CONNECTION LIMIT 50;

-- Only the tenant connects to its database; it owns what it creates in schema public.
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"database" TO :"tenant_role";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO :"tenant_role";

-- The run ledger: owned by nodedb_ledger_owner, readable by the tenant, written only through record_run,
-- which requires an HMAC of the run id keyed by ledger_key (kept in a table only the owner reads).
CREATE SCHEMA nodedb AUTHORIZATION nodedb_ledger_owner;
REVOKE ALL ON SCHEMA nodedb FROM PUBLIC;
GRANT USAGE ON SCHEMA nodedb TO :"tenant_role";
CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA nodedb;

CREATE TABLE nodedb.run_ledger(
    run_id text PRIMARY KEY,
    schedule text NOT NULL,
    committed_at timestamptz NOT NULL);
CREATE INDEX run_ledger_committed_at ON nodedb.run_ledger(committed_at);
CREATE TABLE nodedb.ledger_key(secret bytea NOT NULL);
INSERT INTO nodedb.ledger_key VALUES (convert_to(:'ledger_key', 'UTF8'));
ALTER TABLE nodedb.run_ledger OWNER TO nodedb_ledger_owner;
ALTER TABLE nodedb.ledger_key OWNER TO nodedb_ledger_owner;
REVOKE ALL ON nodedb.run_ledger, nodedb.ledger_key FROM PUBLIC;
GRANT SELECT ON nodedb.run_ledger TO :"tenant_role";

CREATE FUNCTION nodedb.record_run(p_run_id text, p_schedule text, p_at timestamptz, p_mac text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    expected text;
BEGIN
    SELECT encode(nodedb.hmac(convert_to('record' || chr(31) || p_run_id || chr(31) || p_schedule, 'UTF8'), k.secret, 'sha256'), 'hex')
        INTO expected FROM nodedb.ledger_key k;
    IF expected IS NULL OR p_mac IS DISTINCT FROM expected THEN
        RAISE EXCEPTION 'nodedb.record_run refused: the MAC does not match; only the NodeDB runner writes the run ledger'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO nodedb.run_ledger(run_id, schedule, committed_at) VALUES (p_run_id, p_schedule, p_at)
        ON CONFLICT (run_id) DO NOTHING;
    RETURN FOUND;
END
$fn$;

CREATE FUNCTION nodedb.prune_runs(p_cutoff_ms bigint, p_mac text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    expected text;
    deleted bigint;
BEGIN
    SELECT encode(nodedb.hmac(convert_to('prune' || chr(31) || p_cutoff_ms::text, 'UTF8'), k.secret, 'sha256'), 'hex')
        INTO expected FROM nodedb.ledger_key k;
    IF expected IS NULL OR p_mac IS DISTINCT FROM expected THEN
        RAISE EXCEPTION 'nodedb.prune_runs refused: the MAC does not match; only the NodeDB runner prunes the run ledger'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM nodedb.run_ledger WHERE committed_at < to_timestamp(p_cutoff_ms / 1000.0);
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END
$fn$;

ALTER FUNCTION nodedb.record_run(text, text, timestamptz, text) OWNER TO nodedb_ledger_owner;
ALTER FUNCTION nodedb.prune_runs(bigint, text) OWNER TO nodedb_ledger_owner;
REVOKE ALL ON FUNCTION nodedb.record_run(text, text, timestamptz, text), nodedb.prune_runs(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION nodedb.record_run(text, text, timestamptz, text), nodedb.prune_runs(bigint, text) TO :"tenant_role";
