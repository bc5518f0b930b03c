import LoyaltyDomain

/// Reads the `chain:` section; every mistake names its line and key.
enum ChainReader {
    static func read(_ section: ConfigNode) throws(ConfigProblem) -> ChainOptions? {
        guard section.isPresent else { return nil }
        try section.mapping(allowed: ["url", "password_file", "tls", "batch_size", "interval_ms", "offline"])
        let url = try section["url"].requiredText()
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw section["url"].problem("expected postgres://ROLE@HOST:PORT/DATABASE")
        }
        let tlsNode = section["tls"]
        try tlsNode.mapping(allowed: ["mode", "ca_file", "cert_file", "key_file"])
        let tls = ChainOptions.TLSOptions(
            mode: try tlsNode["mode"].oneOf(ChainOptions.TLSOptions.Mode.self) ?? .disable,
            caFile: try tlsNode["ca_file"].text(), certificateFile: try tlsNode["cert_file"].text(), keyFile: try tlsNode["key_file"].text())
        if tls.mode == .verifyFull, tls.caFile == nil {
            throw tlsNode["ca_file"].problem("verify-full needs the certificate authority that signed the centre's certificate")
        }
        if (tls.certificateFile == nil) != (tls.keyFile == nil) {
            throw tlsNode[tls.certificateFile == nil ? "cert_file" : "key_file"].problem("give both cert_file and key_file, or neither")
        }
        let offline = section["offline"]
        try offline.mapping(allowed: ["after_ms", "max_points_per_purchase", "max_points_per_member", "max_hours"])
        let standard = OfflineRedemptionPolicy.standard
        let policy = OfflineRedemptionPolicy(
            maximumPerPurchase: try offline["max_points_per_purchase"].points() ?? standard.maximumPerPurchase,
            maximumPerMemberPerOutage: try offline["max_points_per_member"].points() ?? standard.maximumPerMemberPerOutage,
            maximumOutageMilliseconds: Int64(try offline["max_hours"].integer(in: 0...8_760) ?? 72) * 3_600_000)
        return ChainOptions(
            url: url, passwordFile: try section["password_file"].text(), tls: tls,
            batchSize: try section["batch_size"].integer(in: 1...10_000) ?? 500,
            intervalMilliseconds: try section["interval_ms"].integer(in: 50...3_600_000) ?? 500,
            offlineAfterMilliseconds: Int64(try offline["after_ms"].integer(in: 1_000...86_400_000) ?? 30_000),
            offlineRedemption: policy)
    }
}
