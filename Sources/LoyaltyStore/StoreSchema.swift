import GRDB

/// The database schema, created and upgraded by numbered migrations. A migration, once
/// released, is never edited: changes come as the next number.
enum StoreSchema {
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
        // 002 comes from the rules engine
        migrator.registerMigration("003-member-care-and-till-sales") { db in
            try db.execute(sql: """
                -- A free-text group from a member list (`member import`, `member add --group`).
                ALTER TABLE members ADD COLUMN member_group TEXT;
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
        return migrator
    }
}
