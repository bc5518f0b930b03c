/// One line of `loyaltyd doctor`: what was checked, whether it passed, and what to do when not.
struct DoctorCheck: Sendable {
    enum Outcome: String, Sendable {
        case pass = "ok"
        case fail = "FAIL"
        /// Not applicable here (a disabled reader subsystem, no USB reader configured).
        case skip = "skip"
    }

    var name: String
    var outcome: Outcome
    var detail: String
    /// For a failure: the next step for the technician.
    var remedy: String?

    static func pass(_ name: String, _ detail: String) -> DoctorCheck { DoctorCheck(name: name, outcome: .pass, detail: detail) }
    static func skip(_ name: String, _ detail: String) -> DoctorCheck { DoctorCheck(name: name, outcome: .skip, detail: detail) }
    static func fail(_ name: String, _ detail: String, remedy: String) -> DoctorCheck {
        DoctorCheck(name: name, outcome: .fail, detail: detail, remedy: remedy)
    }
}
