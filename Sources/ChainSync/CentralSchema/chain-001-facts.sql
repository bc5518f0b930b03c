-- 001-chain-facts: the chain's central schema (PostgreSQL 15).
--
-- Applied by `loyaltyd chain migrate` as the migrating (admin) role, inside one transaction that
-- also records the version; this file holds no BEGIN/COMMIT. It is written to be harmless if run
-- again (IF NOT EXISTS, OR REPLACE, guarded role creation). A released migration is never edited:
-- changes come as the next number. Every later migration that adds a function must REVOKE EXECUTE
-- on it FROM PUBLIC (PostgreSQL grants EXECUTE to PUBLIC by default).
--
-- The admin role needs CREATE on the database and CREATEROLE (for the role loyalty_box, unless it
-- exists already). It owns the schema, the tables and the SECURITY DEFINER functions, so boxes act
-- on tables only through those functions. Prefer an admin that is not a superuser.
--
-- Boxes. A box's identity is its login role: the functions look up `session_user` (the role that
-- authenticated) in `boxes`, never a value the box sends. (Inside a SECURITY DEFINER function
-- `current_user` is the function's owner, so `session_user` is the caller's login role.)
--
-- Facts. A fact is immutable and keyed by the global id the store already made
-- (`<store id>-<ULID>`, or a deterministic id for a derived fact). push_v1 takes a JSON array of
--     {"id": text, "kind": text, "member_id": text|null, "at_ms": integer, "body": {...}}
-- where at_ms is the box's clock (ms since the epoch) when the fact was made. The centre stores
-- body as it came, and reads only these fields of it (the views and validation depend on them):
--   kind "ledger":   body.kind    one of earn | redeem | expire | reverse | adjust
--                    body.points  integer, signed as in the store's ledger (earn > 0, redeem and
--                                 expire < 0, reverse and adjust either sign); balance = SUM(points)
--   kind "purchase": body.total  integer, minor units (the receipt total before discounts)
--                    body.state  optional, "committed" (default) or "voided"
--   kind "refund":   body.amount integer >= 0, minor units (0: only a reward was returned); body.purchase_id text (may be another store's)
--   any kind:        body.store_id / body.box_id, and top-level store_id / box_id, are optional;
--                    when present (not null) they must equal the pushing box's, or the fact is
--                    quarantined. Refer to another store's things with other names (purchase_id, ...).
--   member_id is required (non-empty) for kinds member, carrier, ledger, coupon and merge.
-- Other body fields (lines, result, lot_id, expires_at_ms, into, ...) are the daemon's to define.
-- Known kinds are the rows of fact_kinds; a new kind is added centrally (a migration inserting a
-- row) before any daemon sends it.
--
-- THE COMMIT-ORDER INVARIANT. facts.seq is assigned at COMMIT, not at INSERT: a deferred
-- constraint trigger (facts_seq, INITIALLY DEFERRED) runs when the pushing transaction commits,
-- takes the lock on seq_gate (EXCLUSIVE, self-conflicting), numbers every row of the transaction
-- from the sequence fact_seq, and the lock is held until the transaction's COMMIT has become
-- visible (PostgreSQL releases locks only after that). So if seq(a) < seq(b) and a, b come from
-- different transactions, a's was visible before b's took its numbers: a snapshot that sees b sees a.
-- A reader asking `seq > cursor` therefore never skips a row, whatever the length or the order of
-- concurrent push transactions (a plain bigserial is taken at INSERT and becomes visible at COMMIT,
-- out of order, and a cursor skips rows). seq may have gaps (a commit failing after the
-- numbering); rows are never renumbered; an uncommitted row has seq NULL and is invisible to
-- everyone else anyway.
-- The gate is held only from the pushing transaction's commit to its end (never while a client
-- thinks), so a box that wraps push_v1 in a long transaction slows no one. Consequence: commits of
-- push transactions are serialized (one WAL flush at a time), so push facts in batches.
-- Do not run `SET CONSTRAINTS ALL IMMEDIATE` around a push: the numbering would then happen at the
-- end of the statement and the gate be held until commit (still correct, but serializing).

CREATE SCHEMA IF NOT EXISTS loyalty_chain;
REVOKE ALL ON SCHEMA loyalty_chain FROM PUBLIC;
COMMENT ON SCHEMA loyalty_chain IS
    'loyaltyd chain: the facts every store box pushes and pulls, through SECURITY DEFINER functions only.';

-- Roles (cluster-wide, so guarded: another database of the cluster may have made them).
DO $roles$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'loyalty_box') THEN
        CREATE ROLE loyalty_box NOLOGIN;
        COMMENT ON ROLE loyalty_box IS
            'Group of the per-box login roles: EXECUTE on loyalty_chain.push_v1, pull_v1, hello_v1 only.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'loyalty_reader') THEN
        CREATE ROLE loyalty_reader NOLOGIN;
        COMMENT ON ROLE loyalty_reader IS
            'Head-office read-only access to loyalty_chain (views, facts, boxes, quarantine), for psql, Grafana, Metabase.';
    END IF;
END
$roles$;

-- Boxes -------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS loyalty_chain.boxes (
    box_id text PRIMARY KEY CHECK (box_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    store_id text NOT NULL CHECK (store_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    role_name text NOT NULL UNIQUE,
    rules_version text,
    daemon_version text,
    clock_offset_ms bigint,
    last_seen timestamptz,
    registered_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE loyalty_chain.boxes IS
    'One row per store box (sync node); role_name is the PostgreSQL login role that is this box. Written by register_box (head office) and hello_v1 (the box).';
COMMENT ON COLUMN loyalty_chain.boxes.clock_offset_ms IS
    'Box clock minus server clock at the last hello_v1, in ms (positive: the box is ahead).';

-- Facts -------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS loyalty_chain.fact_kinds (
    kind text PRIMARY KEY,
    note text NOT NULL
);
COMMENT ON TABLE loyalty_chain.fact_kinds IS 'The kinds of fact push_v1 accepts.';
INSERT INTO loyalty_chain.fact_kinds (kind, note) VALUES
    ('member', 'a member enrolled or changed (consent time, group, status)'),
    ('carrier', 'a carrier linked, blocked, lost or unlinked'),
    ('purchase', 'a purchase with its lines and result'),
    ('refund', 'a refund of a purchase, possibly from another store'),
    ('ledger', 'a ledger entry: earn, redeem, expire, reverse, adjust'),
    ('coupon', 'a coupon issued, used or cancelled'),
    ('merge', 'a member merged into another'),
    ('activity', 'spend and visits that tiers count'),
    ('sale', 'a sale without a member')
ON CONFLICT (kind) DO NOTHING;

CREATE SEQUENCE IF NOT EXISTS loyalty_chain.fact_seq AS bigint;
COMMENT ON SEQUENCE loyalty_chain.fact_seq IS
    'Numbers facts at commit time only, under the seq_gate lock (see facts_assign_seq).';

CREATE TABLE IF NOT EXISTS loyalty_chain.seq_gate ();
COMMENT ON TABLE loyalty_chain.seq_gate IS
    'Never holds rows: its EXCLUSIVE lock, taken at commit by facts_assign_seq and held to the end of the transaction, makes seq order = commit order.';

CREATE TABLE IF NOT EXISTS loyalty_chain.facts (
    fact_id text PRIMARY KEY,
    seq bigint UNIQUE,
    kind text NOT NULL,
    member_id text,
    store_id text NOT NULL,
    box_id text NOT NULL,
    body jsonb NOT NULL,
    box_time_ms bigint NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE loyalty_chain.facts IS
    'Append-only set of facts from every box. seq is assigned in commit order (NULL only inside the pushing transaction); read it with loyalty_chain.pull_v1 or the views.';
COMMENT ON COLUMN loyalty_chain.facts.seq IS
    'Central sequence, assigned at commit under the seq_gate lock: seq order = commit order, so `seq > cursor` never skips a row. Gaps are possible.';
COMMENT ON COLUMN loyalty_chain.facts.store_id IS 'The pushing box''s store, from boxes (not from the body).';
COMMENT ON COLUMN loyalty_chain.facts.box_id IS 'The pushing box, from session_user via boxes (not from the body).';
COMMENT ON COLUMN loyalty_chain.facts.box_time_ms IS 'at_ms as the box sent it: the box''s clock, which may be off.';
COMMENT ON COLUMN loyalty_chain.facts.received_at IS 'Central time of the pushing transaction.';
-- Only the two indexes push and pull need: every index is written twice per fact (at insert, and
-- at the commit-time numbering, which cannot be a HOT update since seq is indexed). Head office may
-- add more (e.g. on member_id) in a later migration, at that cost.

-- Refused facts, for technicians; the box's queue moves on.
CREATE TABLE IF NOT EXISTS loyalty_chain.quarantine (
    quarantine_id bigserial PRIMARY KEY,
    fact_id text,
    box_id text NOT NULL,
    store_id text NOT NULL,
    reason text NOT NULL,
    body jsonb NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    last_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX IF NOT EXISTS quarantine_once
    ON loyalty_chain.quarantine (box_id, fact_id, reason) NULLS NOT DISTINCT;
COMMENT ON TABLE loyalty_chain.quarantine IS
    'Facts push_v1 refused, with the reason; body is the pushed element as it came. A fact pushed again with the same problem bumps attempts and last_at.';
COMMENT ON COLUMN loyalty_chain.quarantine.reason IS
    'not_an_object | bad_id | unknown_kind | bad_member_id | missing_member_id | bad_at_ms | bad_body | foreign_store | foreign_box | bad_ledger | bad_purchase | bad_refund';

-- Append-only: the only change allowed is the commit-time numbering (seq NULL -> value). Column
-- triggers cost nothing on that numbering, which sets seq only. A migration adding a column to
-- facts must add it to the column list of facts_append_only.
CREATE OR REPLACE FUNCTION loyalty_chain.facts_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = loyalty_chain, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'loyalty_chain.facts is append-only (% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;
DROP TRIGGER IF EXISTS facts_append_only ON loyalty_chain.facts;
CREATE TRIGGER facts_append_only
    BEFORE UPDATE OF fact_id, kind, member_id, store_id, box_id, body, box_time_ms, received_at OR DELETE
    ON loyalty_chain.facts FOR EACH ROW EXECUTE FUNCTION loyalty_chain.facts_append_only();
DROP TRIGGER IF EXISTS facts_seq_once ON loyalty_chain.facts;
CREATE TRIGGER facts_seq_once BEFORE UPDATE OF seq ON loyalty_chain.facts
    FOR EACH ROW WHEN (OLD.seq IS NOT NULL OR NEW.seq IS NULL)
    EXECUTE FUNCTION loyalty_chain.facts_append_only();
DROP TRIGGER IF EXISTS facts_no_truncate ON loyalty_chain.facts;
CREATE TRIGGER facts_no_truncate BEFORE TRUNCATE ON loyalty_chain.facts
    FOR EACH STATEMENT EXECUTE FUNCTION loyalty_chain.facts_append_only();

-- The commit-time numbering (see THE COMMIT-ORDER INVARIANT above). Deferred triggers fire at
-- COMMIT, after the SECURITY DEFINER push_v1 returned, as the calling box role: this function is
-- SECURITY DEFINER itself so it may lock the gate and update facts. Each firing numbers its own
-- row by primary key (so seq follows insertion order: fact_id order within a batch) and touches
-- no other transaction's row, so SERIALIZABLE pushers do not conflict through it. The first
-- firing takes the gate; the following ones find it held (a local lock-table hit).
CREATE OR REPLACE FUNCTION loyalty_chain.facts_assign_seq() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = loyalty_chain, pg_temp AS $$
BEGIN
    LOCK TABLE loyalty_chain.seq_gate IN EXCLUSIVE MODE;
    UPDATE loyalty_chain.facts f SET seq = nextval('loyalty_chain.fact_seq')
    WHERE f.fact_id = NEW.fact_id AND f.seq IS NULL;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS facts_seq ON loyalty_chain.facts;
CREATE CONSTRAINT TRIGGER facts_seq AFTER INSERT ON loyalty_chain.facts
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION loyalty_chain.facts_assign_seq();

-- Functions -----------------------------------------------------------------------------------

-- The box the session is, or an error (SQLSTATE 42501) for a role that is not a registered box.
CREATE OR REPLACE FUNCTION loyalty_chain.current_box() RETURNS loyalty_chain.boxes
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = loyalty_chain, pg_temp AS $$
DECLARE
    me loyalty_chain.boxes;
BEGIN
    SELECT * INTO me FROM loyalty_chain.boxes b WHERE b.role_name = session_user;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'role % is not a registered box', session_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'head office: SELECT loyalty_chain.register_box(box_id, store_id, role_name)';
    END IF;
    RETURN me;
END
$$;

-- Why a pushed element is refused, or NULL when it is acceptable (reasons: see quarantine.reason).
-- kinds: the known kinds (fact_kinds). A plain SQL expression (no SET, no table) so the planner
-- inlines it into push_v1's statement; it names only pg_catalog objects.
CREATE OR REPLACE FUNCTION loyalty_chain.fact_problem(f jsonb, box text, store text, kinds text[])
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN jsonb_typeof(f) IS DISTINCT FROM 'object' THEN 'not_an_object'
        WHEN jsonb_typeof(f->'id') IS DISTINCT FROM 'string' OR length(f->>'id') NOT BETWEEN 1 AND 200
            THEN 'bad_id'
        WHEN jsonb_typeof(f->'kind') IS DISTINCT FROM 'string' OR NOT (f->>'kind' = ANY (kinds))
            THEN 'unknown_kind'
        WHEN coalesce(jsonb_typeof(f->'member_id'), 'null') NOT IN ('string', 'null')
            OR length(f->>'member_id') > 200 THEN 'bad_member_id'
        WHEN f->>'kind' IN ('member', 'carrier', 'ledger', 'coupon', 'merge')
            AND coalesce(f->>'member_id', '') = '' THEN 'missing_member_id'
        WHEN jsonb_typeof(f->'at_ms') IS DISTINCT FROM 'number' OR (f->>'at_ms') !~ '^-?[0-9]{1,18}$'
            THEN 'bad_at_ms'
        WHEN jsonb_typeof(f->'body') IS DISTINCT FROM 'object' THEN 'bad_body'
        WHEN (f->>'store_id') IS DISTINCT FROM store AND jsonb_typeof(f->'store_id') <> 'null'
            OR (f->'body'->>'store_id') IS DISTINCT FROM store AND jsonb_typeof(f->'body'->'store_id') <> 'null'
            THEN 'foreign_store'
        WHEN (f->>'box_id') IS DISTINCT FROM box AND jsonb_typeof(f->'box_id') <> 'null'
            OR (f->'body'->>'box_id') IS DISTINCT FROM box AND jsonb_typeof(f->'body'->'box_id') <> 'null'
            THEN 'foreign_box'
        WHEN f->>'kind' = 'ledger' AND (
                coalesce(f->'body'->>'kind', '') NOT IN ('earn', 'redeem', 'expire', 'reverse', 'adjust')
                OR jsonb_typeof(f->'body'->'points') IS DISTINCT FROM 'number'
                OR (f->'body'->>'points') !~ '^-?[0-9]{1,15}$')
            THEN 'bad_ledger'
        WHEN f->>'kind' = 'purchase' AND (
                jsonb_typeof(f->'body'->'total') IS DISTINCT FROM 'number'
                OR (f->'body'->>'total') !~ '^-?[0-9]{1,15}$'
                OR coalesce(jsonb_typeof(f->'body'->'state'), 'null') <> 'null'
                   AND coalesce(f->'body'->>'state', '') NOT IN ('committed', 'voided'))
            THEN 'bad_purchase'
        WHEN f->>'kind' = 'refund' AND (
                jsonb_typeof(f->'body'->'amount') IS DISTINCT FROM 'number'
                OR (f->'body'->>'amount') !~ '^[0-9]{1,15}$')
            THEN 'bad_refund'
    END
$$;

CREATE OR REPLACE FUNCTION loyalty_chain.push_v1(facts jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = loyalty_chain, pg_temp AS $$
DECLARE
    batch constant jsonb := push_v1.facts;
    me loyalty_chain.boxes;
    kinds text[];
    refused jsonb;
    acceptable bigint;
    inserted bigint;
BEGIN
    me := loyalty_chain.current_box();
    IF jsonb_typeof(batch) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'push_v1 takes a JSON array of facts' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF jsonb_array_length(batch) > 10000 THEN
        RAISE EXCEPTION 'push_v1 takes at most 10000 facts at a time' USING ERRCODE = 'program_limit_exceeded';
    END IF;
    kinds := ARRAY(SELECT k.kind FROM loyalty_chain.fact_kinds k);

    -- One statement: each element is checked once; refused ones go to quarantine, the others are
    -- inserted if absent (a duplicate, in the batch or centrally, is counted, not an error).
    WITH c AS MATERIALIZED (
        SELECT e.ordinality AS pos, e.value AS f,
               CASE WHEN jsonb_typeof(e.value->'id') = 'string' THEN e.value->>'id' END AS fact_id,
               loyalty_chain.fact_problem(e.value, me.box_id, me.store_id, kinds) AS reason
        FROM jsonb_array_elements(batch) WITH ORDINALITY e),
    q AS (
        INSERT INTO loyalty_chain.quarantine AS q (fact_id, box_id, store_id, reason, body)
        SELECT DISTINCT ON (c.fact_id, c.reason) c.fact_id, me.box_id, me.store_id, c.reason, c.f
        FROM c WHERE c.reason IS NOT NULL
        ORDER BY c.fact_id, c.reason, c.pos DESC
        ON CONFLICT (box_id, fact_id, reason)
            DO UPDATE SET attempts = q.attempts + 1, last_at = now(), body = EXCLUDED.body),
    ins AS (
        INSERT INTO loyalty_chain.facts (fact_id, kind, member_id, store_id, box_id, body, box_time_ms)
        SELECT c.fact_id, c.f->>'kind', nullif(c.f->>'member_id', ''), me.store_id, me.box_id,
               c.f->'body', (c.f->>'at_ms')::bigint
        FROM c WHERE c.reason IS NULL
        ORDER BY c.fact_id  -- one key order for every pusher: overlapping batches wait, not deadlock
        ON CONFLICT (fact_id) DO NOTHING
        RETURNING 1)
    SELECT (SELECT count(*) FROM ins),
           (SELECT count(*) FROM c WHERE c.reason IS NULL),
           coalesce((SELECT jsonb_agg(jsonb_build_object('id', c.fact_id, 'reason', c.reason) ORDER BY c.pos)
                     FROM c WHERE c.reason IS NOT NULL), '[]'::jsonb)
    INTO inserted, acceptable, refused;

    RETURN jsonb_build_object('inserted', inserted, 'duplicates', acceptable - inserted,
                              'quarantined', refused);
END
$$;
COMMENT ON FUNCTION loyalty_chain.push_v1(jsonb) IS
    'Box API v1. facts: [{"id","kind","member_id","at_ms","body":{...}}]. Inserts each fact if absent (store_id and box_id from the calling box), quarantines refused ones; returns {"inserted":n,"duplicates":n,"quarantined":[{"id","reason"}]}. Facts get their seq when the caller''s transaction commits: acknowledge only after COMMIT.';

CREATE OR REPLACE FUNCTION loyalty_chain.pull_v1(after_seq bigint, max_rows integer)
RETURNS TABLE (seq bigint, fact_id text, kind text, member_id text, store_id text, box_id text,
               body jsonb, box_time_ms bigint, received_at_ms bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = loyalty_chain, pg_temp AS $$
BEGIN
    PERFORM loyalty_chain.current_box();
    IF max_rows IS NULL OR max_rows < 1 THEN
        RAISE EXCEPTION 'pull_v1: max_rows must be at least 1' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY
        SELECT f.seq, f.fact_id, f.kind, f.member_id, f.store_id, f.box_id, f.body, f.box_time_ms,
               (extract(epoch FROM f.received_at) * 1000)::bigint
        FROM loyalty_chain.facts f
        WHERE f.seq > coalesce(pull_v1.after_seq, 0)
        ORDER BY f.seq
        LIMIT least(pull_v1.max_rows, 10000);
END
$$;
COMMENT ON FUNCTION loyalty_chain.pull_v1(bigint, integer) IS
    'Box API v1. Facts of every box (the caller''s own included: a replaced box gets its history back) with seq > after_seq, in seq order, at most max_rows (capped at 10000). Advance the cursor to the last seq returned; seq is commit-ordered, so no row is ever skipped.';

CREATE OR REPLACE FUNCTION loyalty_chain.hello_v1(rules_version text, daemon_version text, box_time_ms bigint)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = loyalty_chain, pg_temp AS $$
DECLARE
    me loyalty_chain.boxes;
    server_ms bigint := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
    offset_ms bigint := hello_v1.box_time_ms - server_ms;
    head bigint;
BEGIN
    me := loyalty_chain.current_box();
    UPDATE loyalty_chain.boxes b
    SET rules_version = hello_v1.rules_version, daemon_version = hello_v1.daemon_version,
        clock_offset_ms = offset_ms, last_seen = clock_timestamp()
    WHERE b.box_id = me.box_id;
    SELECT coalesce(max(f.seq), 0) INTO head FROM loyalty_chain.facts f;
    RETURN jsonb_build_object('box_id', me.box_id, 'store_id', me.store_id, 'server_time_ms', server_ms,
                              'head_seq', head, 'clock_offset_ms', offset_ms);
END
$$;
COMMENT ON FUNCTION loyalty_chain.hello_v1(text, text, bigint) IS
    'Box API v1. Records the box''s rules and daemon versions and clock offset (box_time_ms minus server time); returns {"box_id","store_id","server_time_ms","head_seq","clock_offset_ms"}; head_seq is the highest committed seq (0 when none).';

CREATE OR REPLACE FUNCTION loyalty_chain.register_box(box_id text, store_id text, role_name text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = loyalty_chain, pg_temp AS $$
DECLARE
    r pg_roles;
BEGIN
    SELECT * INTO r FROM pg_roles WHERE rolname = register_box.role_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'role % does not exist', register_box.role_name
            USING ERRCODE = 'undefined_object', HINT = 'CREATE ROLE … LOGIN … IN ROLE loyalty_box first';
    END IF;
    IF r.rolsuper OR NOT pg_has_role(r.oid, 'loyalty_box', 'USAGE') THEN
        RAISE EXCEPTION 'role % must be a non-superuser member of loyalty_box (with INHERIT)', r.rolname
            USING ERRCODE = 'invalid_grant_operation';
    END IF;
    INSERT INTO loyalty_chain.boxes AS b (box_id, store_id, role_name)
    VALUES (register_box.box_id, register_box.store_id, register_box.role_name)
    ON CONFLICT ON CONSTRAINT boxes_pkey DO UPDATE SET role_name = EXCLUDED.role_name
        WHERE b.store_id = EXCLUDED.store_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'box % is registered to another store', register_box.box_id
            USING ERRCODE = 'unique_violation';
    END IF;
END
$$;
COMMENT ON FUNCTION loyalty_chain.register_box(text, text, text) IS
    'Head office only. Makes role_name (an existing LOGIN role in loyalty_box) the box box_id of store store_id; run again with a new role to replace a box''s role (same store only).';

-- Views (head office) -------------------------------------------------------------------------
-- Days are UTC calendar days of the box's time (at_ms), as the store's activity table counts them.

CREATE OR REPLACE VIEW loyalty_chain.member_balances AS
    SELECT f.member_id,
           sum((f.body->>'points')::bigint) AS points,
           count(*) AS entries,
           max(f.box_time_ms) AS last_entry_ms
    FROM loyalty_chain.facts f
    WHERE f.kind = 'ledger' AND f.seq IS NOT NULL
    GROUP BY f.member_id;
COMMENT ON VIEW loyalty_chain.member_balances IS
    'Balance per member: SUM(body.points) of the member''s ledger facts, every box together. A member merged away shows what its adjust entries leave (normally 0). Negative points: overdraft from offline redemption.';

CREATE OR REPLACE VIEW loyalty_chain.purchases_by_store AS
    SELECT store_id, day,
           count(*) FILTER (WHERE kind = 'purchase') AS count,
           coalesce(sum(amount) FILTER (WHERE kind = 'purchase'), 0) AS total,
           count(*) FILTER (WHERE kind = 'refund') AS refunds,
           coalesce(sum(amount) FILTER (WHERE kind = 'refund'), 0) AS refunded
    FROM (SELECT f.store_id, f.kind,
                 (to_timestamp(f.box_time_ms / 1000.0) AT TIME ZONE 'UTC')::date AS day,
                 CASE f.kind WHEN 'purchase' THEN (f.body->>'total')::bigint
                             ELSE (f.body->>'amount')::bigint END AS amount
          FROM loyalty_chain.facts f
          WHERE f.seq IS NOT NULL
            AND (f.kind = 'purchase' AND coalesce(f.body->>'state', 'committed') = 'committed'
                 OR f.kind = 'refund')) p
    GROUP BY store_id, day;
COMMENT ON VIEW loyalty_chain.purchases_by_store IS
    'Per store and UTC day (box time): count and total (sum of body.total, minor units) of committed purchases; refunds and refunded (sum of body.amount) of the refunds made in that store that day.';

CREATE OR REPLACE VIEW loyalty_chain.points_flow AS
    SELECT (to_timestamp(f.box_time_ms / 1000.0) AT TIME ZONE 'UTC')::date AS day,
           f.store_id,
           coalesce(sum((f.body->>'points')::bigint) FILTER (WHERE f.body->>'kind' = 'earn'), 0) AS issued,
           coalesce(-sum((f.body->>'points')::bigint) FILTER (WHERE f.body->>'kind' = 'redeem'), 0) AS redeemed,
           coalesce(-sum((f.body->>'points')::bigint) FILTER (WHERE f.body->>'kind' = 'expire'), 0) AS expired,
           coalesce(sum((f.body->>'points')::bigint) FILTER (WHERE f.body->>'kind' = 'reverse'), 0) AS reversed,
           coalesce(sum((f.body->>'points')::bigint) FILTER (WHERE f.body->>'kind' = 'adjust'), 0) AS adjusted
    FROM loyalty_chain.facts f
    WHERE f.kind = 'ledger' AND f.seq IS NOT NULL
    GROUP BY 1, 2;
COMMENT ON VIEW loyalty_chain.points_flow IS
    'Per UTC day (box time) and store of the box that pushed the entry: points issued (earn), redeemed and expired (both as positive numbers), and the signed sums of reverse and adjust entries. An expiry any box could derive counts for the store whose box pushed it first.';

-- Privileges ----------------------------------------------------------------------------------
REVOKE ALL ON ALL TABLES IN SCHEMA loyalty_chain FROM PUBLIC, loyalty_box;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA loyalty_chain FROM PUBLIC, loyalty_box;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA loyalty_chain FROM PUBLIC, loyalty_box;
GRANT USAGE ON SCHEMA loyalty_chain TO loyalty_box, loyalty_reader;
GRANT EXECUTE ON FUNCTION loyalty_chain.push_v1(jsonb),
                          loyalty_chain.pull_v1(bigint, integer),
                          loyalty_chain.hello_v1(text, text, bigint) TO loyalty_box;
GRANT SELECT ON loyalty_chain.member_balances, loyalty_chain.purchases_by_store, loyalty_chain.points_flow,
                loyalty_chain.facts, loyalty_chain.boxes, loyalty_chain.quarantine, loyalty_chain.fact_kinds
    TO loyalty_reader;
