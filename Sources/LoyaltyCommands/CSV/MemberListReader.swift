import LoyaltyStore

/// A member list read in batches of checked rows. Lines that cannot be imported are handed to
/// the caller with their line number as they are met; memory holds one batch at most.
struct MemberListReader {
    private let reader: CSVReader
    private let columns: MemberCSV
    private let consent: Bool

    /// Opens `path` and reads its header row (the first line that is not blank).
    init(path: String, consent: Bool) throws(MemberListError) {
        do {
            reader = try CSVReader(path: path)
        } catch {
            throw .file(error.description)
        }
        self.consent = consent
        while true {
            let item: CSVReader.Item?
            do { item = try reader.next() } catch { throw .file(error.description) }
            switch item {
            case nil:
                throw .header(line: 1, "the file is empty; it needs a header row such as \(MemberCSV.header.joined(separator: ","))")
            case .malformed(let line, let reason):
                throw .header(line: line, reason)
            case .record(let line, let fields):
                if MemberCSV.isBlank(fields) { continue }
                do { columns = try MemberCSV(header: fields) } catch { throw .header(line: line, error.description) }
                return
            }
        }
    }

    /// Bytes of the file read so far, for progress.
    var bytesRead: Int64 { reader.bytesRead }

    /// Up to `size` checked rows; `nil` at the end of the file. `invalid` gets each line that cannot be imported.
    mutating func nextBatch(size: Int, invalid: (Int, String) -> Void) throws(MemberListError) -> [MemberImportRow]? {
        var rows: [MemberImportRow] = []
        rows.reserveCapacity(size)
        while rows.count < size {
            let item: CSVReader.Item?
            do { item = try reader.next() } catch { throw .file(error.description) }
            guard let item else { break }
            switch item {
            case .malformed(let line, let reason):
                invalid(line, reason)
            case .record(let line, let fields):
                if MemberCSV.isBlank(fields) { continue }
                switch columns.row(fields, line: line, consent: consent) {
                case .success(let row): rows.append(row)
                case .failure(let error): invalid(line, error.description)
                }
            }
        }
        // Invalid lines do not fill a batch, so an empty one means the end of the file.
        return rows.isEmpty ? nil : rows
    }
}

/// Why a member list cannot be read at all.
enum MemberListError: Error, CustomStringConvertible {
    case file(String)
    case header(line: Int, String)

    var description: String {
        switch self {
        case .file(let why): why
        case .header(let line, let why): "line \(line): \(why)"
        }
    }
}
