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
    try await onOwnThread {
        let (status, stdout, stderr) = try runCapturing(program, arguments, environment: environment)
        return CommandOutcome(status: status, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// Runs a program to its end with posix_spawn, `input` on its stdin, and answers its exit status
/// and output as bytes. Blocking: call it on a thread of its own (`onOwnThread`). Not
/// Foundation's Process: its run() crashed (a bad memcpy) while other tests ran processes at the
/// same time, and its pipe reads trap on EINTR. Files, not pipes: nothing can fill up and wait.
public func runCapturing(_ program: String, _ arguments: [String], environment: [String: String] = [:], input: Data? = nil) throws -> (status: Int32, stdout: Data, stderr: Data) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let (inPath, outPath, errPath) = (directory.appendingPathComponent("in").path, directory.appendingPathComponent("out").path, directory.appendingPathComponent("err").path)
    try (input ?? Data()).write(to: URL(fileURLWithPath: inPath))

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let argv = ([program] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let env = ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin"].merging(environment) { $1 }
    let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { envp.forEach { free($0) } }
    var pid: pid_t = 0
    let rc = envp.withUnsafeBufferPointer { posix_spawn(&pid, program, &actions, nil, argv, $0.baseAddress) }
    guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    // WIFEXITED / WEXITSTATUS, which Swift does not import as macros.
    let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return (exit, (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data(), (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data())
}
