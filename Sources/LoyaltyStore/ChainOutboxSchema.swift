/// The tables and triggers that make a store box a node of a chain (migration 005).
///
/// Every row a box writes into a table whose rows travel (members, carriers, purchases, refunds,
/// ledger, coupons, sales, promotion codes and uses) queues a fact in `chain_outbox`, by trigger, in the same transaction as
/// the row: a fact is durable locally before it is pushed, and no door can write without queuing.
/// The outbox holds references, not copies: the body is read from the row when it is pushed.
///
/// The triggers run only while `chain_state.queue` is `1`: a single-store box queues nothing, and
/// facts pulled from the centre are applied with it at `0`, so they are not pushed back.
enum ChainOutboxSchema {
    /// The box's clock in milliseconds, in SQL.
    private static let now = "CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)"
    private static let queuing = "(SELECT value FROM chain_state WHERE key = 'queue') = '1'"
    /// The id of a carrier's link to its member: made from the row, so that queuing the same link
    /// again (a box that joins a chain queues what it holds) gives the same fact.
    static func linkID(_ row: String) -> String {
        "'card#' || \(row).member_id || '#' || \(row).kind || '#' || \(row).created_at_ms || '#' || substr(\(row).value, -4)"
    }

    /// A fresh id for a fact about a row that changes (a carrier's or coupon's state).
    private static func changeID(_ prefix: String) -> String { "\(prefix) || '#' || lower(hex(randomblob(10)))" }

    static let sql = """
        CREATE TABLE chain_state (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
        INSERT INTO chain_state (key, value) VALUES ('queue', '0'), ('cursor', '0');

        -- Facts not yet acknowledged by the centre, in the order they were made.
        CREATE TABLE chain_outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            fact_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            ref TEXT NOT NULL,
            member_id TEXT,
            at_ms INTEGER NOT NULL
        );
        -- Pulled facts that refer to rows not here yet (the centre numbers the facts of one push by
        -- id, so a card may come before its member): applied as soon as what they refer to arrives.
        CREATE TABLE chain_deferred (
            seq INTEGER PRIMARY KEY NOT NULL,
            fact_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            member_id TEXT,
            store_id TEXT NOT NULL,
            box_id TEXT NOT NULL,
            body TEXT NOT NULL,
            at_ms INTEGER NOT NULL
        );
        -- Facts refused: by the centre when pushed, or by this box when pulled. Technicians see them
        -- in `loyaltyd chain status`; they never block the queue.
        CREATE TABLE chain_quarantine (
            fact_id TEXT NOT NULL,
            direction TEXT NOT NULL CHECK (direction IN ('push', 'pull')),
            reason TEXT NOT NULL,
            body TEXT NOT NULL,
            at_ms INTEGER NOT NULL,
            PRIMARY KEY (fact_id, direction)
        ) WITHOUT ROWID;

        CREATE TRIGGER chain_members_insert AFTER INSERT ON members WHEN \(queuing)
        BEGIN INSERT INTO chain_outbox (fact_id, kind, ref, member_id, at_ms) VALUES (NEW.id, 'member', NEW.id, NEW.id, \(now)); END;
        CREATE TRIGGER chain_members_update AFTER UPDATE ON members WHEN \(queuing)
        BEGIN INSERT INTO chain_outbox (fact_id, kind, ref, member_id, at_ms) VALUES (\(changeID("NEW.id")), 'member', NEW.id, NEW.id, \(now)); END;

        CREATE TRIGGER chain_carriers_insert AFTER INSERT ON carriers WHEN \(queuing)
        BEGIN INSERT INTO chain_outbox (fact_id, kind, ref, member_id, at_ms)
            VALUES (\(linkID("NEW")), 'carrier', NEW.kind || ':' || NEW.value, NEW.member_id, \(now)); END;
        CREATE TRIGGER chain_carriers_update AFTER UPDATE ON carriers WHEN \(queuing)
        BEGIN INSERT INTO chain_outbox (fact_id, kind, ref, member_id, at_ms)
            VALUES (\(changeID("'card'")), 'carrier', NEW.kind || ':' || NEW.value, NEW.member_id, \(now)); END;
        CREATE TRIGGER chain_carriers_delete AFTER DELETE ON carriers WHEN \(queuing)
        BEGIN INSERT INTO chain_outbox (fact_id, kind, ref, member_id, at_ms)
            VALUES (\(changeID("'card'")), 'carrier', OLD.kind || ':' || OLD.value, OLD.member_id, \(now)); END;

        CREATE TRIGGER chain_purchases_insert AFTER INSERT ON purchases WHEN \(queuing)
        BEGIN INSERT INTO chain_outbox (fact_id, kind, ref, member_id, at_ms) VALUES (NEW.id, 'purchase', NEW.id, NEW.member_id, NEW.at_ms); END;
        CREATE TRIGGER chain_refunds_insert AFTER INSERT ON refunds WHEN \(queuing)
        BEGIN INSERT INTO chain_outbox (fact_id, kind, ref, member_id, at_ms) VALUES (NEW.id, 'refund', NEW.id, NULL, NEW.at_ms); END;
        CREATE TRIGGER chain_ledger_insert AFTER INSERT ON ledger WHEN \(queuing)
        BEGIN INSERT INTO chain_outbox (fact_id, kind, ref, member_id, at_ms) VALUES (NEW.id, 'ledger', NEW.id, NEW.member_id, NEW.at_ms); END;
        CREATE TRIGGER chain_coupons_insert AFTER INSERT ON coupons WHEN \(queuing)
        BEGIN INSERT INTO chain_outbox (fact_id, kind, ref, member_id, at_ms) VALUES (NEW.id, 'coupon', NEW.id, NEW.member_id, NEW.issued_at_ms); END;
        CREATE TRIGGER chain_coupons_update AFTER UPDATE ON coupons WHEN \(queuing)
        BEGIN INSERT INTO chain_outbox (fact_id, kind, ref, member_id, at_ms) VALUES (\(changeID("NEW.id")), 'coupon', NEW.id, NEW.member_id, \(now)); END;
        CREATE TRIGGER chain_sales_insert AFTER INSERT ON sales WHEN \(queuing)
        BEGIN INSERT INTO chain_outbox (fact_id, kind, ref, member_id, at_ms) VALUES (NEW.id, 'sale', NEW.id, NULL, NEW.at_ms); END;
        """

    /// The id of a promotion use's fact (`suffix` "#returned" for its return): made from the use, so
    /// the same use queued twice (a backfill) is one fact.
    static func useID(_ row: String, suffix: String = "") -> String {
        "'use#' || \(row).purchase_id || '#' || \(row).rule_id\(suffix.isEmpty ? "" : " || '\(suffix)'")"
    }

    /// The promotion facts (migration 008): a generated code (`promotion_code`), and a use of a
    /// limited rule or single-use code with, when its purchase is refunded whole, its return
    /// (`promotion_use`, body `state` `used` or `returned`). A use moves only from used to
    /// returned, so every box counts the same uses whatever order the facts reach it in.
    static let promotionSQL = """
        CREATE TRIGGER chain_promo_codes_insert AFTER INSERT ON promo_codes WHEN \(queuing)
        BEGIN INSERT INTO chain_outbox (fact_id, kind, ref, member_id, at_ms) VALUES ('code#' || NEW.code, 'promotion_code', NEW.code, NULL, NEW.created_at_ms); END;
        CREATE TRIGGER chain_promotion_uses_insert AFTER INSERT ON promotion_uses WHEN \(queuing)
        BEGIN INSERT INTO chain_outbox (fact_id, kind, ref, member_id, at_ms)
            VALUES (\(useID("NEW")), 'promotion_use', json_array(NEW.purchase_id, NEW.rule_id), NEW.member_id, NEW.at_ms); END;
        CREATE TRIGGER chain_promotion_uses_return AFTER UPDATE OF state ON promotion_uses
            WHEN OLD.state = 'used' AND NEW.state = 'returned' AND \(queuing)
        BEGIN INSERT OR IGNORE INTO chain_outbox (fact_id, kind, ref, member_id, at_ms)
            VALUES (\(useID("NEW", suffix: "#returned")), 'promotion_use', json_array(NEW.purchase_id, NEW.rule_id), NEW.member_id, \(now)); END;
        """
}
