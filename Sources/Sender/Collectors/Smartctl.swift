#if canImport(FoundationEssentials)
import FoundationEssentials
#endif

/// What one disk's `smartctl --json -H -A` says.
struct SmartHealth: Equatable, Sendable {
    var device: String
    var model: String?
    /// The drive's overall self-assessment; nil when smartctl could not get one.
    var passed: Bool?
    /// ATA attributes 5 (Reallocated_Sector_Ct) and 197 (Current_Pending_Sector), raw values.
    var reallocatedSectors: Int?
    var pendingSectors: Int?
    /// NVMe's health log: media and data integrity errors.
    var mediaErrors: Int?
    var temperatureCelsius: Int?

    /// Sectors the drive gave up on or may soon: the number that must not grow.
    var badSectors: Int? {
        let parts = [reallocatedSectors, pendingSectors, mediaErrors].compactMap { $0 }
        // Broken firmware reports raw values near Int.max: the sum saturates rather than traps.
        return parts.isEmpty ? nil : parts.reduce(0) { $0.addingReportingOverflow($1).overflow ? Int.max : $0 + $1 }
    }
}

struct SmartctlError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// smartctl's JSON (smartmontools 7.0+) in, disks and their health out. Pure.
enum Smartctl {
    static let scanArguments = ["--scan", "--json"]
    /// `-n standby`: a sleeping disk is not spun up to be asked.
    static func healthArguments(_ device: String, type: String?) -> [String] {
        ["--json", "-H", "-A", "-n", "standby"] + (type.map { ["-d", $0] } ?? []) + [device]
    }

    struct ScanDevice: Decodable, Equatable {
        var name: String
        var type: String?
    }

    private struct Scan: Decodable {
        var devices: [ScanDevice]?
        var smartctl: Version?
    }

    struct Version: Decodable {
        var version: [Int]?
    }

    /// `smart:sda`; a disk behind a RAID controller, which smartctl names by the controller's bus
    /// and tells apart by its `-d` type (`/dev/bus/0 -d megaraid,1`), keeps the type:
    /// `smart:bus/0:megaraid,1`. So does any device whose name the scan lists twice.
    static func checkNames(_ devices: [ScanDevice]) -> [String] {
        var seen: [String: Int] = [:]
        for device in devices { seen[device.name, default: 0] += 1 }
        return devices.map { device in
            var name = "smart:" + PrintableName.escape(device.name.dropFirst(5).utf8)
            if let type = device.type, seen[device.name, default: 0] > 1 || type.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) {
                name += ":" + PrintableName.escape(type.utf8)
            }
            return PrintableName.shorten(name)
        }
    }

    static func devices(_ text: String, limit: Int = 64) throws(SmartctlError) -> [ScanDevice] {
        let scan: Scan
        do { scan = try JSONDecoder().decode(Scan.self, from: Data(text.utf8)) } catch {
            throw SmartctlError(message: "smartctl --scan --json printed no JSON; smartctl 7.0 or later is needed")
        }
        if let major = scan.smartctl?.version?.first, major < 7 {
            throw SmartctlError(message: "smartctl \(major) is too old; 7.0 or later is needed")
        }
        return Array((scan.devices ?? []).filter { $0.name.hasPrefix("/dev/") }.prefix(limit))
    }

    private struct Output: Decodable {
        struct Status: Decodable { var passed: Bool? }
        struct Attributes: Decodable { var table: [Attribute]? }
        struct Attribute: Decodable {
            struct Raw: Decodable { var value: Int? }
            var id: Int
            var raw: Raw?
        }
        struct NVMe: Decodable {
            var media_errors: Int?
        }
        struct Temperature: Decodable { var current: Int? }
        struct Device: Decodable { var name: String? }
        var device: Device?
        var model_name: String?
        var smart_status: Status?
        var ata_smart_attributes: Attributes?
        var nvme_smart_health_information_log: NVMe?
        var temperature: Temperature?
    }

    /// nil for a disk that is asleep (smartctl -n standby said so and did not wake it).
    static func health(_ text: String, device: String) throws(SmartctlError) -> SmartHealth? {
        let output: Output
        do { output = try JSONDecoder().decode(Output.self, from: Data(text.utf8)) } catch {
            throw SmartctlError(message: "smartctl printed JSON that could not be read for \(device)")
        }
        let attributes = output.ata_smart_attributes?.table ?? []
        func raw(_ id: Int) -> Int? { attributes.first { $0.id == id }?.raw?.value }
        let health = SmartHealth(
            device: output.device?.name ?? device, model: output.model_name.map { String($0.prefix(100)) }, passed: output.smart_status?.passed,
            reallocatedSectors: raw(5), pendingSectors: raw(197), mediaErrors: output.nvme_smart_health_information_log?.media_errors,
            temperatureCelsius: output.temperature?.current)
        if health.passed == nil && health.badSectors == nil && health.temperatureCelsius == nil { return nil }
        return health
    }
}
