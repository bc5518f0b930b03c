import Foundation
import GRDB

extension LoyaltyStore {
    /// `loyaltyd_name_contains(name, part)`: whether `part` occurs in `name` ignoring case beyond
    /// ASCII ("MÜLLER" finds "Müller"; SQLite's LIKE folds ASCII letters only). Added to the
    /// connection that runs `member find`; a NULL name matches nothing.
    static let foldedContains = DatabaseFunction("loyaltyd_name_contains", argumentCount: 2, pure: true) { values in
        guard let name = String.fromDatabaseValue(values[0]), let part = String.fromDatabaseValue(values[1]) else { return false }
        return name.range(of: part, options: [.caseInsensitive]) != nil
    }
}
