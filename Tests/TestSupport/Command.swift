import Foundation

/// What a short-lived command said, and how it ended.
public struct CommandOutcome: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a program to its end with a clean environment (no METRICS_* or DATABASE_URL from the
/// developer's shell) plus `environment`, and captures what it says.
public func runCommand(_ program: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> CommandOutcome {
    try await onOwnThread { try runCommandBlocking(program, arguments, environment: environment) }
}

private func runCommandBlocking(_ program: String, _ arguments: [String], environment: [String: String]) throws -> CommandOutcome {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    process.environment = ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin"].merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = readToEnd(out.fileHandleForReading)
    let stderr = readToEnd(err.fileHandleForReading)
    process.waitUntilExit()
    return CommandOutcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
}

/// Everything a pipe gives until its end. Foundation's readDataToEndOfFile traps on EINTR (a
/// `try!` inside), which a signal to the test process can cause; this reads again instead.
public func readToEnd(_ handle: FileHandle) -> Data {
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = read(handle.fileDescriptor, &buffer, buffer.count)
        if count > 0 {
            data.append(contentsOf: buffer[..<count])
        } else if count == 0 || errno != EINTR {
            return data
        }
    }
}
