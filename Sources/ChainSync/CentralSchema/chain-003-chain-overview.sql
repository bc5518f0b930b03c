-- loyaltyd central schema, migration 003: what a box and head office see of the whole chain.
--
-- - hello_v1 keeps the versions the daemon recorded when a technician's command (chain status,
--   doctor, resync) says hello with NULL versions: only the daemon says what a box runs.
-- - boxes_v1(): every box with its store, rules and daemon version, last contact and clock offset,
--   so `loyaltyd chain status` on any box shows the boxes that apply other rules.
-- - negative_balances: members whose points went below zero (two stores spent the same points
--   while apart); such a member cannot redeem anywhere until earning brings them back above zero.

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
    SET rules_version = coalesce(hello_v1.rules_version, b.rules_version),
        daemon_version = coalesce(hello_v1.daemon_version, b.daemon_version),
        clock_offset_ms = offset_ms, last_seen = clock_timestamp()
    WHERE b.box_id = me.box_id;
    SELECT coalesce(max(f.seq), 0) INTO head FROM loyalty_chain.facts f;
    RETURN jsonb_build_object('box_id', me.box_id, 'store_id', me.store_id, 'server_time_ms', server_ms,
                              'head_seq', head, 'clock_offset_ms', offset_ms);
END
$$;
COMMENT ON FUNCTION loyalty_chain.hello_v1(text, text, bigint) IS
    'Box API v1. Records the box''s rules and daemon versions (NULL keeps the recorded one) and clock offset (box_time_ms minus server time); returns {"box_id","store_id","server_time_ms","head_seq","clock_offset_ms"}; head_seq is the highest committed seq (0 when none).';

CREATE OR REPLACE FUNCTION loyalty_chain.boxes_v1()
RETURNS TABLE (box_id text, store_id text, rules_version text, daemon_version text, last_seen_ms bigint, clock_offset_ms bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = loyalty_chain, pg_temp AS $$
BEGIN
    PERFORM loyalty_chain.current_box();
    RETURN QUERY
        SELECT b.box_id, b.store_id, b.rules_version, b.daemon_version,
               (extract(epoch FROM b.last_seen) * 1000)::bigint, b.clock_offset_ms
        FROM loyalty_chain.boxes b
        ORDER BY b.box_id;
END
$$;
COMMENT ON FUNCTION loyalty_chain.boxes_v1() IS
    'Box API v1. Every registered box: store, the rules and daemon version it last reported, when it was last seen (ms since the epoch, NULL if never) and its clock offset.';
REVOKE ALL ON FUNCTION loyalty_chain.boxes_v1() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION loyalty_chain.boxes_v1() TO loyalty_box;

CREATE OR REPLACE VIEW loyalty_chain.negative_balances AS
    SELECT m.member_id, m.points, m.last_entry_ms
    FROM loyalty_chain.member_balances m
    WHERE m.points < 0;
COMMENT ON VIEW loyalty_chain.negative_balances IS
    'Members whose balance is below zero, every box''s entries together: points spent twice while stores were apart (within the offline policy''s caps). They cannot redeem until earning brings them above zero.';
GRANT SELECT ON loyalty_chain.negative_balances TO loyalty_reader;
