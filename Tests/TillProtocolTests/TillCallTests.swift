import LoyaltyDomain
import Testing
import TillProtocol

@Suite struct TillCallTests {
    let limits = TillCall.Limits(currency: Currency(code: "EUR", minorUnitDigits: 2), maximumTotal: Money(minorUnits: 100_000_000))

    func parse(_ method: String, _ params: String) throws(RPCError) -> TillCall {
        let value = try! JSONParser.parse(Array(params.utf8))
        return try TillCall.parse(RPCRequest(id: 1, method: method, params: value), limits: limits, nowMilliseconds: 1_000)
    }

    func reason(_ method: String, _ params: String) -> RPCError.Reason? {
        do {
            _ = try parse(method, params)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func readsAPurchase() throws {
        let call = try parse("purchase.commit", #"""
            {"till_id":"lane-1","transaction_id":"T1","card":{"kind":"uid","value":"04a1b2c3"},"total":"12.50",
             "lines":[{"sku":"A","category":"food","quantity":"0.450","amount":"10.00"},{"sku":"B","amount":"2.50"}],
             "redeem_points":100}
            """#)
        guard case .commit(let request) = call else {
            Issue.record("expected a commit")
            return
        }
        #expect(request.total == Money(minorUnits: 1_250))
        #expect(request.member == .carrier(try Carrier(kind: .uid, value: "04A1B2C3")))
        #expect(request.lines.map(\.quantity) == ["0.450", "1"])
        #expect(request.redeemPoints == Points(100))
    }

    @Test func refusesBadPurchases() {
        let base = #""till_id":"t","transaction_id":"x","member_id":"m""#
        #expect(reason("purchase.quote", "{\(base),\"total\":12.5}") == .invalidParams, "a JSON number is not money")
        #expect(reason("purchase.quote", "{\(base),\"total\":\"-1.00\"}") == .invalidParams)
        #expect(reason("purchase.quote", "{\(base),\"total\":\"1000001.00\"}") == .invalidParams, "above max_total")
        #expect(reason("purchase.quote", "{\(base),\"total\":\"1.001\"}") == .invalidParams)
        #expect(reason("purchase.quote", "{\(base)}") == .invalidParams, "total is required")
        #expect(reason("purchase.quote", "{\(base),\"total\":\"1.00\",\"totl\":\"1\"}") == .invalidParams, "typos are refused")
        #expect(reason("purchase.quote", "{\(base),\"total\":\"1.00\",\"redeem_points\":-5}") == .invalidParams)
        #expect(reason("purchase.quote", "{\(base),\"total\":\"1.00\",\"redeem_points\":1.5}") == .invalidParams)
        #expect(reason("purchase.quote", #"{"till_id":"t","transaction_id":"x","total":"1.00"}"#) == .invalidParams, "no member")
        #expect(reason("purchase.quote", "{\(base),\"total\":\"3.00\",\"lines\":[{\"sku\":\"a\",\"amount\":\"2.00\"}]}") == .invalidParams, "lines must add up")
        #expect(reason("purchase.quote", #"{"till_id":"t","transaction_id":"x","card":{"kind":"nfc","value":"04A1B2C3"},"total":"1.00"}"#) == .invalidParams)
        #expect(reason("purchase.quote", "[1,2]") == .invalidParams, "params by position")
        let error = #expect(throws: RPCError.self) {
            try parse("purchase.quote", #"{"till_id":"t","transaction_id":"x","card":"04A1B2C3","total":"1.00"}"#)
        }
        #expect(error?.message == "card must be an object, got string")
    }

    @Test func enrolmentStoresPersonalDataOnlyWithConsent() throws {
        #expect(reason("member.enroll", #"{"card":{"kind":"barcode","value":"123"},"name":"Anna"}"#) == .invalidParams)
        guard case .enroll(let enrolment) = try parse("member.enroll", #"{"card":{"kind":"barcode","value":"123"},"name":"Anna","birthday":"1990-02-28","consent":true}"#) else {
            Issue.record("expected an enrolment")
            return
        }
        #expect(enrolment.consentAtMilliseconds == 1_000)
        #expect(reason("member.enroll", #"{"card":{"kind":"barcode","value":"123"},"birthday":"1990-02-30","consent":true}"#) == .invalidParams)
        guard case .enroll(let byPhone) = try parse("member.enroll", #"{"phone":"+49 30 1234567","consent":true}"#) else {
            Issue.record("expected an enrolment")
            return
        }
        #expect(byPhone.carrier == (try Carrier(kind: .phone, value: "+49301234567")))
    }

    @Test func lookupTakesExactlyOneReference() {
        #expect(reason("member.lookup", "{}") == .invalidParams)
        #expect(reason("member.lookup", #"{"member_id":"a","phone":"+4930123456"}"#) == .invalidParams)
        #expect(reason("member.lookup", #"{"phone":"+4930123456"}"#) == nil)
    }

    @Test func unknownMethodsAreReported() {
        #expect(reason("purchase.steal", "{}") == .methodNotFound)
    }
}

@Suite struct SaleRecordCallTests {
    let limits = TillCall.Limits(currency: Currency(code: "EUR", minorUnitDigits: 2), maximumTotal: Money(minorUnits: 100_000_000))

    func parse(_ params: String) throws(RPCError) -> TillCall {
        let value = try! JSONParser.parse(Array(params.utf8))
        return try TillCall.parse(RPCRequest(id: 1, method: "sale.record", params: value), limits: limits, nowMilliseconds: 1_000)
    }

    @Test func readsASaleWithoutAMember() throws {
        let call = try parse(#"{"till_id":"lane-1","transaction_id":"T1","total":"12.50"}"#)
        #expect(call == .recordSale(SaleRecord(tillID: "lane-1", transactionID: "T1", total: Money(minorUnits: 1_250))))
        #expect(TillCall.methods.contains("sale.record"))
    }

    @Test func refusesBadSales() {
        for params in [
            #"{"till_id":"lane-1","transaction_id":"T1","total":12.5}"#,
            #"{"till_id":"lane-1","transaction_id":"T1","total":"-1.00"}"#,
            #"{"till_id":"lane-1","transaction_id":"T1","total":"1000001.00"}"#,
            #"{"till_id":"","transaction_id":"T1","total":"1.00"}"#,
            #"{"transaction_id":"T1","total":"1.00"}"#,
            #"{"till_id":"lane-1","transaction_id":"T1","total":"1.00","card":{"kind":"uid","value":"04A1B2C3"}}"#,
        ] {
            #expect(throws: RPCError.self, "\(params)") { _ = try parse(params) }
        }
    }
}
