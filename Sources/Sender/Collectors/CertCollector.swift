#if canImport(FoundationEssentials)
import FoundationEssentials
#endif
#if canImport(Glibc)
import Glibc
#endif
import Shared

/// Days until the certificates it is told to watch expire, one check `cert:TARGET` each: files
/// matching `tls.files` globs (PEM or DER; a chain counts by its first certificate to expire) and
/// servers at `tls.endpoints` (`host:port`). Nothing to watch, nothing to report. Servers are read
/// at once, within one shared budget, and at most hourly (`EndpointCache`): a firewalled one must
/// not cost the run its report.
struct CertCollector: Collector {
    static let name = "cert"
    /// Bounds: globs can match a whole directory of certificates.
    static let maxTargets = 100
    static let maxFileBytes = 1 << 20
    /// All endpoints of a run share this many seconds (never past collection's deadline), read at
    /// most `parallel` at a time.
    static let endpointBudget = 10.0
    static let parallel = 8
    /// An endpoint's certificate is read again once its last reading is this old (seconds).
    static let endpointEvery = 3600.0

    var files: [String] = []
    var endpoints: [String] = []
    var timeout = TimeSpan(seconds: 5)

    func collect(_ context: CollectContext) -> [Observation] {
        var observations: [Observation] = []
        for pattern in files {
            let paths = Self.glob(context.path(pattern))
            if paths.isEmpty {
                observations.append(failure("cert:\(pattern)", "no file matches \(pattern)"))
                continue
            }
            for path in paths where observations.count < Self.maxTargets {
                let shown = context.root == "/" ? path : String(path.dropFirst(context.path("/").count - 1))
                observations.append(fileObservation(path: path, name: "cert:\(shown)"))
            }
        }
        if context.root == "/" && !endpoints.isEmpty && observations.count < Self.maxTargets {
            var named = Set<String>()
            let distinct = endpoints.filter { named.insert($0).inserted }
            observations += endpointObservations(Array(distinct.prefix(Self.maxTargets - observations.count)), context)
        }
        // A file named by two globs is one check.
        var seen = Set<String>()
        return observations.prefix(Self.maxTargets).filter { seen.insert($0.name).inserted }
    }

    private func fileObservation(path: String, name: String) -> Observation {
        let checkName = PrintableName.shorten(name)
        let bytes: [UInt8]
        do { bytes = try FileReader.readBytes(path, limit: Self.maxFileBytes + 1) } catch { return failure(checkName, error.description) }
        guard bytes.count <= Self.maxFileBytes else { return failure(checkName, "\(path) is larger than 1 MiB; not a certificate file") }
        do {
            guard let summary = CertificateSummary(try Certificate.parse(bytes)) else { return failure(checkName, "holds no certificate") }
            return observation(checkName, summary)
        } catch { return failure(checkName, "\(path) \(error.message)") }
    }

    /// Endpoints read less than `endpointEvery` ago report what they presented then, as does one
    /// whose turn did not come within the budget; the others are read now.
    private func endpointObservations(_ list: [String], _ context: CollectContext) -> [Observation] {
        let file = context.state(EndpointCache.fileName, as: EndpointCache.self)
        let previous = file.load() ?? EndpointCache()
        let now = Date().timeIntervalSince1970
        let due = previous.due(list, now: now, every: Self.endpointEvery)
        let outcomes = TLSEndpoint.certificates(
            due, timeout: Double(timeout.seconds), deadline: min(Clock.now() + Self.endpointBudget, context.deadline), parallel: Self.parallel)
        var cache = EndpointCache()
        let observations = list.map { endpoint in
            let name = PrintableName.shorten("cert:\(endpoint)")
            var entry = previous.entries[endpoint] ?? EndpointCache.Entry()
            defer { cache.entries[endpoint] = entry }
            guard let outcome = outcomes[endpoint] else {
                guard let summary = entry.summary, let probedAt = entry.probedAt else {
                    return failure(name, "not probed: collection budget spent (it is read first in the next run)")
                }
                return observation(name, summary, probedAt: probedAt)
            }
            entry.attemptedAt = now
            switch Self.summary(outcome, endpoint) {
            case .success(let summary):
                entry.read(summary, at: now)
                return observation(name, summary, probedAt: now)
            case .failure(let problem):
                return failure(name, problem.message)
            }
        }
        if !outcomes.isEmpty, let problem = file.save(cache) { StandardStreams.warn("cert: \(problem)") }
        return observations
    }

    private static func summary(_ outcome: TLSEndpoint.Outcome, _ endpoint: String) -> Result<CertificateSummary, CertificateError> {
        switch outcome {
        case .failure(let error):
            return .failure(CertificateError(message: "cannot read the certificate of \(error.description)"))
        case .success(let chain):
            // The leaf is what the server is known by; an intermediate that expires sooner breaks it too.
            var certificates: [CertificateInfo] = []
            do { for pem in chain { certificates += try Certificate.parse(Array(pem.utf8)) } } catch {
                return .failure(CertificateError(message: "\(endpoint) presented a certificate that \(error)"))
            }
            guard let summary = CertificateSummary(certificates) else { return .failure(CertificateError(message: "\(endpoint) presented no certificate")) }
            return .success(summary)
        }
    }

    /// `probedAt`: when an endpoint's certificate was read (wall-clock seconds).
    private func observation(_ name: String, _ summary: CertificateSummary, probedAt: Double? = nil) -> Observation {
        let days = (summary.notAfter.timeIntervalSince(Date()) / 86400 * 10).rounded(.down) / 10
        var details: [String: JSONValue] = [
            "notAfter": .string(Certificate.iso8601(summary.notAfter)), "certificates": .number(Double(summary.certificates)),
        ]
        if let commonName = summary.commonName { details["commonName"] = .string(commonName) }
        if let probedAt { details["probedAt"] = .string(Certificate.iso8601(Date(timeIntervalSince1970: probedAt))) }
        return Observation(name: name, kind: .cert, value: days, unit: "days", details: details)
    }

    private func failure(_ name: String, _ message: String) -> Observation {
        Observation(name: PrintableName.shorten(name), kind: .cert, status: ObservationStatus.error, error: String(message.prefix(900)))
    }

    /// glob(3): sorted matches, at most `maxTargets`; none when nothing matches.
    static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        var paths: [String] = []
        for index in 0..<min(Int(result.gl_pathc), maxTargets) {
            if let path = result.gl_pathv[index] { paths.append(String(cString: path)) }
        }
        return paths
    }
}
