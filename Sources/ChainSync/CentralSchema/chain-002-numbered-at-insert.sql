-- loyaltyd central schema, migration 002: facts are numbered as they are inserted, under the gate.
--
-- Migration 001 numbered facts at COMMIT with a deferred per-row trigger: every fact was written
-- twice (the insert, then the numbering update, which cannot be HOT since seq is indexed) and ran
-- one trigger call per row, so pushing reached about a third of the speed of plain inserts.
--
-- THE COMMIT-ORDER INVARIANT, from this migration on. push_v1 takes the lock on seq_gate
-- (EXCLUSIVE, self-conflicting) before it draws a single number, numbers the facts it inserts from
-- fact_seq in the same statement, and the lock is held until the transaction's COMMIT has become
-- visible (PostgreSQL releases locks only after that). So if seq(a) < seq(b) and a, b come from
-- different transactions, a's transaction was visible before b's could draw: a snapshot that sees
-- b sees a, and a reader asking `seq > cursor` never skips a row. Gaps are possible (a number drawn
-- for a duplicate, a failed commit); rows are never renumbered.
--
-- The price: the gate is held from push_v1's insert to the end of the caller's transaction. The
-- daemon calls push_v1 alone, in its own implicit transaction, so that is one statement and one WAL
-- flush. A caller that wraps push_v1 in a longer transaction would hold every other box's pushes:
-- push_v1 therefore sets idle_in_transaction_session_timeout for the rest of the caller's
-- transaction, so a session that sits idle holding the gate is ended within seconds.

DROP TRIGGER IF EXISTS facts_seq ON loyalty_chain.facts;
DROP FUNCTION IF EXISTS loyalty_chain.facts_assign_seq();

COMMENT ON SEQUENCE loyalty_chain.fact_seq IS
    'Numbers facts as push_v1 inserts them, under the seq_gate lock held to commit (migration 002).';
COMMENT ON TABLE loyalty_chain.seq_gate IS
    'Never holds rows: its EXCLUSIVE lock, taken by push_v1 before it numbers facts and held to the end of the transaction, makes seq order = commit order.';
COMMENT ON COLUMN loyalty_chain.facts.seq IS
    'Central sequence, drawn under the seq_gate lock held to commit: seq order = commit order, so `seq > cursor` never skips a row. Gaps are possible.';

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

    -- The gate, held to the end of the caller's transaction (see the invariant above).
    PERFORM set_config('idle_in_transaction_session_timeout', '5000', true);
    LOCK TABLE loyalty_chain.seq_gate IN EXCLUSIVE MODE;

    -- One statement: each element is checked once; refused ones go to quarantine, the others are
    -- inserted if absent (a duplicate, in the batch or centrally, is counted, not an error) and
    -- numbered in fact_id order, one key order for every pusher.
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
    fresh AS MATERIALIZED (
        -- Only facts the centre lacks draw a number; the first of a duplicate within the batch wins.
        SELECT DISTINCT ON (c.fact_id) c.fact_id, c.f
        FROM c
        WHERE c.reason IS NULL
          AND NOT EXISTS (SELECT 1 FROM loyalty_chain.facts x WHERE x.fact_id = c.fact_id)
        ORDER BY c.fact_id, c.pos),
    ins AS (
        INSERT INTO loyalty_chain.facts (fact_id, seq, kind, member_id, store_id, box_id, body, box_time_ms)
        SELECT n.fact_id, nextval('loyalty_chain.fact_seq'), n.f->>'kind', nullif(n.f->>'member_id', ''),
               me.store_id, me.box_id, n.f->'body', (n.f->>'at_ms')::bigint
        FROM (SELECT * FROM fresh ORDER BY fresh.fact_id) n
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
    'Box API v1. facts: [{"id","kind","member_id","at_ms","body":{...}}]. Inserts each fact if absent (store_id and box_id from the calling box), quarantines refused ones; returns {"inserted":n,"duplicates":n,"quarantined":[{"id","reason"}]}. Call it alone in its transaction: it holds the numbering gate until COMMIT. Acknowledge only after COMMIT.';
