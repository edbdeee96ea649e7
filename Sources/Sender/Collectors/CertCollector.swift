#if canImport(FoundationEssentials)
import FoundationEssentials
#endif
#if canImport(Glibc)
import Glibc
#endif
import Shared

/// Days until the certificates it is told to watch expire, one check `cert:TARGET` each: files
/// matching `tls.files` globs (PEM or DER; a chain counts by its first certificate to expire) and
/// servers at `tls.endpoints` (`host:port`). Nothing to watch, nothing to report.
struct CertCollector: Collector {
    static let name = "cert"
    /// Bounds: globs can match a whole directory of certificates.
    static let maxTargets = 100
    static let maxFileBytes = 1 << 20

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
        if context.root == "/" {
            for endpoint in endpoints where observations.count < Self.maxTargets {
                observations.append(endpointObservation(endpoint))
            }
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
        do { return observation(checkName, try Certificate.parse(bytes)) } catch { return failure(checkName, "\(path) \(error.message)") }
    }

    private func endpointObservation(_ endpoint: String) -> Observation {
        let checkName = PrintableName.shorten("cert:\(endpoint)")
        do {
            let chain = try TLSEndpoint.certificates(endpoint, timeout: timeout.seconds)
            // The leaf is what the server is known by; an intermediate that expires sooner breaks it too.
            var certificates: [CertificateInfo] = []
            for pem in chain { certificates += try Certificate.parse(Array(pem.utf8)) }
            return observation(checkName, certificates)
        } catch let error as TransportError {
            return failure(checkName, "cannot read the certificate of \(error.description)")
        } catch {
            return failure(checkName, "\(endpoint) presented a certificate that \(error)")
        }
    }

    private func observation(_ name: String, _ certificates: [CertificateInfo]) -> Observation {
        guard let first = certificates.min(by: { $0.notAfter < $1.notAfter }) else { return failure(name, "holds no certificate") }
        let days = (first.notAfter.timeIntervalSince(Date()) / 86400 * 10).rounded(.down) / 10
        var details: [String: JSONValue] = [
            "notAfter": .string(Certificate.iso8601(first.notAfter)), "certificates": .number(Double(certificates.count)),
        ]
        if let commonName = first.commonName { details["commonName"] = .string(commonName) }
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
