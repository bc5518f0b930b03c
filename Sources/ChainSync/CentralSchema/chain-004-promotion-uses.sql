-- loyaltyd central schema, migration 004: promotion codes and uses travel as facts (issue 16).
--
-- Two new kinds (fact_kinds):
--   kind "promotion_code": a single-use code generated for a rule (`loyaltyd codes generate`) on
--                    some box; body.code text, body.rule_id text, body.created_at_ms. No member_id.
--                    Fact id 'code#' || code.
--   kind "promotion_use":  a rule with a usage limit or a single-use code gave something on a
--                    committed purchase (body.state 'used'), or that purchase was refunded whole
--                    and the use was given back (body.state 'returned'); body.purchase_id,
--                    body.rule_id (text, non-empty), body.code (text or null), body.at_ms;
--                    member_id required. Fact ids 'use#' || purchase_id || '#' || rule_id, and the
--                    same with '#returned' for the return: both derive from the use, so a box that
--                    queues them again makes no second fact.
-- fact_problem refuses a malformed one as bad_promotion_use / bad_promotion_code.
--
-- THE PROMOTION-USE INVARIANT. A use is identified by (purchase_id, rule_id) and only ever moves
-- from used to returned, never back: its state is "returned" if any of its facts says returned,
-- else "used". That is a function of the set of facts, not of their order, so the centre (view
-- promotion_uses) and every box (which applies the facts as an upsert where returned wins) count
-- the same uses. A single-use code is used while a standing use names it.
--
-- Offline boxes keep serving, so two boxes apart may both accept the same single-use code, or
-- together pass a rule's max_uses / max_uses_per_member. Both sales stand (nothing is undone);
-- the extra use is never lost: the code shows in promotion_codes_overused (and in `loyaltyd chain
-- status` on every box, with the rules used beyond their limits), and from then on every box
-- refuses the code (status "used"). promotion_use_counts gives head office the standing uses per
-- rule and member to compare with the limits of its programs.

INSERT INTO loyalty_chain.fact_kinds (kind, note) VALUES
    ('promotion_code', 'a single-use promotion code generated for a rule'),
    ('promotion_use', 'a use of a limited rule or single-use code by a purchase, or its return on a whole refund')
ON CONFLICT (kind) DO NOTHING;

-- As in 001, with the two new kinds checked (and promotion_use needing a member).
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
        WHEN f->>'kind' IN ('member', 'carrier', 'ledger', 'coupon', 'merge', 'promotion_use')
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
        WHEN f->>'kind' = 'promotion_use' AND (
                jsonb_typeof(f->'body'->'purchase_id') IS DISTINCT FROM 'string' OR f->'body'->>'purchase_id' = ''
                OR jsonb_typeof(f->'body'->'rule_id') IS DISTINCT FROM 'string' OR f->'body'->>'rule_id' = ''
                OR coalesce(jsonb_typeof(f->'body'->'code'), 'null') NOT IN ('string', 'null')
                OR coalesce(f->'body'->>'state', '') NOT IN ('used', 'returned'))
            THEN 'bad_promotion_use'
        WHEN f->>'kind' = 'promotion_code' AND (
                jsonb_typeof(f->'body'->'code') IS DISTINCT FROM 'string' OR f->'body'->>'code' = ''
                OR jsonb_typeof(f->'body'->'rule_id') IS DISTINCT FROM 'string' OR f->'body'->>'rule_id' = '')
            THEN 'bad_promotion_code'
    END
$$;
REVOKE ALL ON FUNCTION loyalty_chain.fact_problem(jsonb, text, text, text[]) FROM PUBLIC;

COMMENT ON COLUMN loyalty_chain.quarantine.reason IS
    'not_an_object | bad_id | unknown_kind | bad_member_id | missing_member_id | bad_at_ms | bad_body | foreign_store | foreign_box | bad_ledger | bad_purchase | bad_refund | bad_promotion_use | bad_promotion_code';

CREATE OR REPLACE VIEW loyalty_chain.promotion_uses AS
    SELECT f.body->>'purchase_id' AS purchase_id, f.body->>'rule_id' AS rule_id,
           (array_agg(f.member_id ORDER BY f.seq DESC))[1] AS member_id,
           max(f.body->>'code') AS code,
           (array_agg(f.store_id ORDER BY f.seq))[1] AS store_id,
           CASE WHEN bool_or(f.body->>'state' = 'returned') THEN 'returned' ELSE 'used' END AS state,
           min((f.body->>'at_ms')::bigint) AS used_at_ms
    FROM loyalty_chain.facts f
    WHERE f.kind = 'promotion_use' AND f.seq IS NOT NULL
    GROUP BY 1, 2;
COMMENT ON VIEW loyalty_chain.promotion_uses IS
    'One row per promotion use (purchase, rule): the member (as last reported), the single-use code it took, the store whose box pushed it first, and its state: returned once any box reported the purchase refunded whole, else used.';

CREATE OR REPLACE VIEW loyalty_chain.promotion_codes_overused AS
    SELECT u.code, u.rule_id, count(*) AS uses,
           array_agg(u.purchase_id ORDER BY u.used_at_ms, u.purchase_id) AS purchase_ids,
           array_agg(DISTINCT u.store_id) AS store_ids
    FROM loyalty_chain.promotion_uses u
    WHERE u.state = 'used' AND u.code IS NOT NULL
    GROUP BY u.code, u.rule_id
    HAVING count(*) > 1;
COMMENT ON VIEW loyalty_chain.promotion_codes_overused IS
    'Single-use codes that more than one standing use took: boxes apart each accepted the code. The sales stand; every box refuses the code from then on.';

CREATE OR REPLACE VIEW loyalty_chain.promotion_use_counts AS
    SELECT u.rule_id, u.member_id, count(*) AS uses
    FROM loyalty_chain.promotion_uses u
    WHERE u.state = 'used'
    GROUP BY u.rule_id, u.member_id;
COMMENT ON VIEW loyalty_chain.promotion_use_counts IS
    'Standing uses per rule and member (a whole refund gives a use back), to compare with a rule''s max_uses (their sum) and max_uses_per_member.';

REVOKE ALL ON loyalty_chain.promotion_uses, loyalty_chain.promotion_codes_overused, loyalty_chain.promotion_use_counts
    FROM PUBLIC, loyalty_box;
GRANT SELECT ON loyalty_chain.promotion_uses, loyalty_chain.promotion_codes_overused, loyalty_chain.promotion_use_counts
    TO loyalty_reader;
