import GRDB
import LoyaltyDomain

/// The database schema, created and upgraded by numbered migrations. A migration, once
/// released, is never edited: changes come as the next number.
public enum StoreSchema {
    /// The migration that blocks and masks bank card numbers stored as cards by earlier versions.
    public static let bankCardMigration = "004-no-bank-cards-at-rest"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("001-members-carriers-purchases-ledger-events") { db in
            try db.execute(sql: """
                CREATE TABLE members (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT,
                    phone TEXT,
                    birthday TEXT,
                    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked')),
                    consent_at_ms INTEGER,
                    created_at_ms INTEGER NOT NULL
                );
                CREATE INDEX members_phone ON members(phone) WHERE phone IS NOT NULL;

                CREATE TABLE carriers (
                    kind TEXT NOT NULL CHECK (kind IN ('uid', 'track', 'barcode', 'phone')),
                    value TEXT NOT NULL,
                    member_id TEXT NOT NULL REFERENCES members(id),
                    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked', 'lost')),
                    created_at_ms INTEGER NOT NULL,
                    PRIMARY KEY (kind, value)
                ) WITHOUT ROWID;
                CREATE INDEX carriers_member ON carriers(member_id);

                CREATE TABLE purchases (
                    id TEXT PRIMARY KEY NOT NULL,
                    till_id TEXT NOT NULL,
                    transaction_id TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('committed', 'voided')),
                    member_id TEXT REFERENCES members(id),
                    fingerprint TEXT,
                    total INTEGER NOT NULL DEFAULT 0,
                    discount INTEGER NOT NULL DEFAULT 0,
                    redeemed_value INTEGER NOT NULL DEFAULT 0,
                    payable INTEGER NOT NULL DEFAULT 0,
                    points_earned INTEGER NOT NULL DEFAULT 0,
                    points_redeemed INTEGER NOT NULL DEFAULT 0,
                    rules_version TEXT,
                    result TEXT,
                    at_ms INTEGER NOT NULL,
                    UNIQUE (till_id, transaction_id)
                );
                CREATE INDEX purchases_member ON purchases(member_id, at_ms);

                CREATE TABLE refunds (
                    id TEXT PRIMARY KEY NOT NULL,
                    till_id TEXT NOT NULL,
                    refund_id TEXT NOT NULL,
                    purchase_id TEXT NOT NULL REFERENCES purchases(id),
                    amount INTEGER NOT NULL CHECK (amount > 0),
                    points_reversed INTEGER NOT NULL,
                    points_restored INTEGER NOT NULL,
                    result TEXT NOT NULL,
                    at_ms INTEGER NOT NULL,
                    UNIQUE (till_id, refund_id)
                );
                CREATE INDEX refunds_purchase ON refunds(purchase_id);

                -- The ledger is append-only: balances are sums of it, and nothing edits or deletes a row.
                CREATE TABLE ledger (
                    id TEXT PRIMARY KEY NOT NULL,
                    member_id TEXT NOT NULL REFERENCES members(id),
                    kind TEXT NOT NULL CHECK (kind IN ('earn', 'redeem', 'expire', 'reverse', 'adjust')),
                    points INTEGER NOT NULL,
                    purchase_id TEXT REFERENCES purchases(id),
                    refund_id TEXT REFERENCES refunds(id),
                    rules_version TEXT,
                    note TEXT,
                    at_ms INTEGER NOT NULL
                );
                CREATE INDEX ledger_member ON ledger(member_id, at_ms);
                CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
                    BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
                CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
                    BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

                -- A cache of SUM(ledger.points) per member, written in the same transaction as the
                -- ledger rows; `loyaltyd db verify` recomputes it.
                CREATE TABLE balances (
                    member_id TEXT PRIMARY KEY NOT NULL REFERENCES members(id),
                    points INTEGER NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    at_ms INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    reader TEXT,
                    carrier TEXT,
                    member_id TEXT,
                    detail TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX events_kind ON events(kind, at_ms);
                """)
        }
        migrator.registerMigration("002-rules-engine") { db in
            try db.execute(sql: """
                ALTER TABLE members ADD COLUMN card_group TEXT;

                -- Earned points are lots: spendable from available_at_ms, expiring at expires_at_ms;
                -- credit_total is the member's lot credits through this one (FIFO expiry), and an
                -- expire entry names its lot in lot_id.
                ALTER TABLE ledger ADD COLUMN available_at_ms INTEGER;
                ALTER TABLE ledger ADD COLUMN expires_at_ms INTEGER;
                ALTER TABLE ledger ADD COLUMN credit_total INTEGER;
                ALTER TABLE ledger ADD COLUMN lot_id TEXT;
                CREATE INDEX ledger_expiring ON ledger(member_id, expires_at_ms) WHERE expires_at_ms IS NOT NULL;
                CREATE INDEX ledger_pending ON ledger(member_id, available_at_ms) WHERE available_at_ms IS NOT NULL;

                -- spend: the receipt after discounts, as tiers and progressive rules count it.
                ALTER TABLE purchases ADD COLUMN spend INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE purchases ADD COLUMN reward_points INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE refunds ADD COLUMN points_forgiven INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE refunds ADD COLUMN spend INTEGER NOT NULL DEFAULT 0;

                -- Caches written in the same transaction as the purchases and ledger they sum, so
                -- lookups and quotes never scan a member's history.
                CREATE TABLE member_totals (
                    member_id TEXT PRIMARY KEY NOT NULL REFERENCES members(id),
                    spend INTEGER NOT NULL DEFAULT 0,
                    visits INTEGER NOT NULL DEFAULT 0,
                    credited INTEGER NOT NULL DEFAULT 0,
                    expired_through_ms INTEGER NOT NULL DEFAULT 0
                ) WITHOUT ROWID;
                -- Spend and visits per member and UTC day, for rolling tier windows.
                CREATE TABLE activity (
                    member_id TEXT NOT NULL REFERENCES members(id),
                    day INTEGER NOT NULL,
                    spend INTEGER NOT NULL,
                    visits INTEGER NOT NULL,
                    PRIMARY KEY (member_id, day)
                ) WITHOUT ROWID;

                CREATE TABLE coupons (
                    id TEXT PRIMARY KEY NOT NULL,
                    member_id TEXT NOT NULL REFERENCES members(id),
                    rule_id TEXT NOT NULL,
                    percent_millionths INTEGER NOT NULL,
                    min_total INTEGER NOT NULL,
                    issued_purchase_id TEXT NOT NULL REFERENCES purchases(id),
                    issued_at_ms INTEGER NOT NULL,
                    expires_at_ms INTEGER NOT NULL,
                    state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'used', 'cancelled')),
                    used_purchase_id TEXT REFERENCES purchases(id),
                    changed_at_ms INTEGER
                );
                CREATE INDEX coupons_member ON coupons(member_id, state, expires_at_ms);
                CREATE INDEX coupons_issued_by ON coupons(issued_purchase_id);

                -- What each receipt line got, for refunds by line.
                CREATE TABLE purchase_lines (
                    purchase_id TEXT NOT NULL REFERENCES purchases(id),
                    position INTEGER NOT NULL,
                    sku TEXT NOT NULL,
                    category TEXT,
                    amount INTEGER NOT NULL,
                    points_earned INTEGER NOT NULL,
                    refunded INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (purchase_id, position)
                ) WITHOUT ROWID;

                UPDATE purchases SET spend = total - discount WHERE state = 'committed';
                INSERT INTO member_totals (member_id, spend, visits, credited)
                    SELECT m.id,
                        COALESCE((SELECT SUM(spend) FROM purchases p WHERE p.member_id = m.id AND p.state = 'committed'), 0),
                        (SELECT COUNT(*) FROM purchases p WHERE p.member_id = m.id AND p.state = 'committed'),
                        COALESCE((SELECT SUM(points) FROM ledger l WHERE l.member_id = m.id AND l.kind = 'earn'), 0)
                    FROM members m;
                INSERT INTO activity (member_id, day, spend, visits)
                    SELECT member_id, at_ms / 86400000, SUM(spend), COUNT(*) FROM purchases
                    WHERE state = 'committed' GROUP BY member_id, at_ms / 86400000;
                """)
        }
        migrator.registerMigration("003-member-care-and-till-sales") { db in
            try db.execute(sql: """
                -- The group (`member import`, `member add --group`) is members.card_group from 002, which
                -- rules limited to card groups match.
                -- Set by `member merge` on the member merged away (which is also blocked); its carriers,
                -- purchases and balance now belong to this member.
                ALTER TABLE members ADD COLUMN merged_into TEXT REFERENCES members(id);

                -- Sales a till made without a member (`sale.record`), so reports can give the members' share.
                CREATE TABLE sales (
                    id TEXT PRIMARY KEY NOT NULL,
                    till_id TEXT NOT NULL,
                    transaction_id TEXT NOT NULL,
                    total INTEGER NOT NULL CHECK (total >= 0),
                    at_ms INTEGER NOT NULL,
                    UNIQUE (till_id, transaction_id)
                );
                CREATE INDEX sales_at ON sales(at_ms);

                -- `loyaltyd report` reads purchases and ledger entries by time.
                CREATE INDEX purchases_at ON purchases(at_ms);
                CREATE INDEX ledger_at ON ledger(at_ms);
                """)
        }
        migrator.registerMigration(bankCardMigration) { db in
            // Versions before the domain refused them stored bank card tracks given by `member add`,
            // `card link` or `member import`: block them and keep only a masked marker.
            let now = WallClock.system.now()
            try LoyaltyStore.maskBankCardsAtRest(db, nowMilliseconds: now, eventID: "migration-\(bankCardMigration)")
        }
        migrator.registerMigration("005-refund-plan-rewards-and-coupon-lines") { db in
            // GRDB runs a migration with foreign keys off and checks them all before committing, so
            // `refunds` can be rebuilt (SQLite cannot change a CHECK in place) under the ledger's references.
            try db.execute(sql: """
                -- Lines kept out of earning (tobacco) do not count toward coupon thresholds, also
                -- when a refund decides whether a coupon the purchase issued still stands.
                ALTER TABLE purchase_lines ADD COLUMN excluded_from_earning INTEGER NOT NULL DEFAULT 0;

                -- Each catalogue reward taken with a purchase: its points come back when the reward
                -- itself is returned (program.refunds.reward_points). Purchases committed before this
                -- migration have none here; their reward points follow the money refunded, as before.
                CREATE TABLE purchase_rewards (
                    purchase_id TEXT NOT NULL REFERENCES purchases(id),
                    position INTEGER NOT NULL,
                    sku TEXT NOT NULL,
                    quantity INTEGER NOT NULL CHECK (quantity > 0),
                    points INTEGER NOT NULL CHECK (points >= 0),
                    returned_refund_id TEXT REFERENCES refunds(id),
                    PRIMARY KEY (purchase_id, position)
                ) WITHOUT ROWID;

                -- A refund may return only a reward (no money): amount 0.
                CREATE TABLE refunds_new (
                    id TEXT PRIMARY KEY NOT NULL,
                    till_id TEXT NOT NULL,
                    refund_id TEXT NOT NULL,
                    purchase_id TEXT NOT NULL REFERENCES purchases(id),
                    amount INTEGER NOT NULL CHECK (amount >= 0),
                    points_reversed INTEGER NOT NULL,
                    points_restored INTEGER NOT NULL,
                    result TEXT NOT NULL,
                    at_ms INTEGER NOT NULL,
                    points_forgiven INTEGER NOT NULL DEFAULT 0,
                    spend INTEGER NOT NULL DEFAULT 0,
                    UNIQUE (till_id, refund_id)
                );
                INSERT INTO refunds_new (id, till_id, refund_id, purchase_id, amount, points_reversed, points_restored,
                        result, at_ms, points_forgiven, spend)
                    SELECT id, till_id, refund_id, purchase_id, amount, points_reversed, points_restored,
                        result, at_ms, points_forgiven, spend FROM refunds;
                DROP TABLE refunds;
                ALTER TABLE refunds_new RENAME TO refunds;
                CREATE INDEX refunds_purchase ON refunds(purchase_id);
                """)
        }
        migrator.registerMigration("006-chain-outbox") { db in
            try db.execute(sql: ChainOutboxSchema.sql)
        }
        migrator.registerMigration("007-promotion-codes-and-uses") { db in
            try db.execute(sql: """
                -- Single-use codes generated for a rule (`loyaltyd codes generate`): each is used by at
                -- most one committed purchase, and given back when that purchase is refunded whole.
                CREATE TABLE promo_codes (
                    code TEXT PRIMARY KEY NOT NULL,
                    rule_id TEXT NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    used_purchase_id TEXT REFERENCES purchases(id),
                    used_at_ms INTEGER
                ) WITHOUT ROWID;

                -- Each time a rule with a usage limit or single-use codes gave something on a committed
                -- purchase; state 'returned' once the purchase is refunded whole.
                CREATE TABLE promotion_uses (
                    purchase_id TEXT NOT NULL REFERENCES purchases(id),
                    rule_id TEXT NOT NULL,
                    member_id TEXT NOT NULL REFERENCES members(id),
                    code TEXT,
                    state TEXT NOT NULL DEFAULT 'used' CHECK (state IN ('used', 'returned')),
                    at_ms INTEGER NOT NULL,
                    PRIMARY KEY (purchase_id, rule_id)
                ) WITHOUT ROWID;
                CREATE INDEX promotion_uses_rule ON promotion_uses(rule_id, member_id) WHERE state = 'used';
                """)
        }
        migrator.registerMigration("008-promotions-chain-wide") { db in
            try db.execute(sql: """
                -- A single-use code is used while a use that stands names it (two boxes apart may both
                -- have accepted it: both uses stand, and giving one back leaves the code used).
                CREATE INDEX promotion_uses_code ON promotion_uses(code) WHERE code IS NOT NULL;
                """ + ChainOutboxSchema.promotionSQL)
        }
        migrator.registerMigration("009-promotion-use-counts") { db in
            try db.execute(sql: """
                -- Invariant: for every (rule, member), uses = the number of promotion_uses rows of that
                -- rule and member in state 'used'. The triggers below keep it on every insert, update
                -- (a return, a chain fact's upsert, a member merge) and delete, whoever writes: so a
                -- usage limit is checked with one indexed read however long the member's history is,
                -- where a count of the uses grew with it.
                CREATE TABLE promotion_use_counts (
                    rule_id TEXT NOT NULL,
                    member_id TEXT NOT NULL,
                    uses INTEGER NOT NULL,
                    PRIMARY KEY (rule_id, member_id)
                ) WITHOUT ROWID;
                INSERT INTO promotion_use_counts (rule_id, member_id, uses)
                    SELECT rule_id, member_id, COUNT(*) FROM promotion_uses WHERE state = 'used' GROUP BY rule_id, member_id;
                CREATE TRIGGER promotion_use_counts_insert AFTER INSERT ON promotion_uses WHEN NEW.state = 'used'
                BEGIN
                    INSERT INTO promotion_use_counts (rule_id, member_id, uses) VALUES (NEW.rule_id, NEW.member_id, 1)
                        ON CONFLICT (rule_id, member_id) DO UPDATE SET uses = uses + 1;
                END;
                CREATE TRIGGER promotion_use_counts_update AFTER UPDATE OF state, rule_id, member_id ON promotion_uses
                BEGIN
                    UPDATE promotion_use_counts SET uses = uses - 1
                        WHERE OLD.state = 'used' AND rule_id = OLD.rule_id AND member_id = OLD.member_id;
                    INSERT INTO promotion_use_counts (rule_id, member_id, uses) SELECT NEW.rule_id, NEW.member_id, 1 WHERE NEW.state = 'used'
                        ON CONFLICT (rule_id, member_id) DO UPDATE SET uses = uses + 1;
                END;
                CREATE TRIGGER promotion_use_counts_delete AFTER DELETE ON promotion_uses WHEN OLD.state = 'used'
                BEGIN
                    UPDATE promotion_use_counts SET uses = uses - 1 WHERE rule_id = OLD.rule_id AND member_id = OLD.member_id;
                END;
                -- Nothing reads the uses by rule and member any more: the counts answer.
                DROP INDEX promotion_uses_rule;
                """)
        }
        return migrator
    }
}
