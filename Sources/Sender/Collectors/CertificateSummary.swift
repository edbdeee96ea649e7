#if canImport(FoundationEssentials)
import FoundationEssentials
#endif

/// A chain's certificate that expires first, and how many the chain holds.
struct CertificateSummary: Equatable {
    var notAfter: Date
    var commonName: String?
    var certificates: Int

    init(notAfter: Date, commonName: String?, certificates: Int) {
        (self.notAfter, self.commonName, self.certificates) = (notAfter, commonName, certificates)
    }

    /// nil for an empty chain.
    init?(_ chain: [CertificateInfo]) {
        guard let first = chain.min(by: { $0.notAfter < $1.notAfter }) else { return nil }
        self.init(notAfter: first.notAfter, commonName: first.commonName, certificates: chain.count)
    }
}
