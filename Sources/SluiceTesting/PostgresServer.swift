import Foundation
import SluiceCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A throwaway PostgreSQL cluster for the tests and benchmarks: Debian's `postgresql`, made by
/// `initdb` in a temporary folder (as `nobody` when run as root, since PostgreSQL refuses root),
/// listening on 127.0.0.1 and a free port only, and stopped and removed when the process exits.
///
/// The server runs as this process's child (`pg_ctl` would detach it), so ``halt()`` and
/// ``resume()`` can take it away and bring it back as an outage would. One server per process for
/// the tests; each test takes a database of its own with ``makeDatabase()``. When PostgreSQL is
/// not installed, starting it fails with what to install: it never skips.
/// `@unchecked Sendable`: `port` is set only while `init` picks a free one, and the running
/// `Process` is only replaced under `server`'s lock.
public final class PostgresServer: @unchecked Sendable {
    public private(set) var port = 0
    private let folder: URL
    private let binaries: URL
    private let durable: Bool
    private let server = Mutex<Process?>(nil)
    private let nextDatabase = Atomic(0)

    /// The server for this process's tests, started on first use, with `fsync` off: the tests'
    /// databases never outlive the machine.
    public static func shared() throws -> PostgresServer {
        _ = stopsAtExit
        return try sharedServer.get()
    }

    private static let sharedServer = Result { try PostgresServer(durable: false) }
    private static let stopsAtExit: Void = { atexit { try? PostgresServer.sharedServer.get().stop() } }()

    /// Starts a cluster of its own, whose `fsync` is on when `durable` (benchmarks measure the
    /// commits a production server pays for).
    public init(durable: Bool) throws {
        binaries = try Self.locateBinaries()
        self.durable = durable
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-postgres-\(UUID().uuidString.prefix(8))")
        let data = folder.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        if geteuid() == 0 {
            for directory in [folder, data] {
                try FileManager.default.setAttributes([.ownerAccountName: "nobody", .posixPermissions: 0o700], ofItemAtPath: directory.path)
            }
        }
        _ = try Self.run(
            Self.unprivileged("initdb") + ["-D", data.path, "-U", "sluice", "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C.UTF-8"],
            binaries: binaries)
        var lastProblem = ""
        for _ in 0..<5 {
            port = try FreePort.pick()
            do {
                try resume()
                return
            } catch {
                lastProblem = "\(error)"
            }
        }
        throw Problem(description: "PostgreSQL did not start on 127.0.0.1: \(lastProblem)")
    }

    /// Starts the server again after ``halt()`` (on the same port and data), and returns once it
    /// accepts connections.
    public func resume() throws {
        try server.withLock { running in
            guard running == nil else { return }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = Self.unprivileged("postgres") + [
                "-D", folder.appendingPathComponent("data").path, "-c", "listen_addresses=127.0.0.1", "-c", "port=\(port)",
                "-c", "unix_socket_directories=", "-c", "max_connections=200", "-c", "fsync=\(durable ? "on" : "off")",
            ]
            process.environment = Self.environment(binaries)
            let log = folder.appendingPathComponent("server.log")
            if !FileManager.default.fileExists(atPath: log.path) {
                _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            }
            let handle = try FileHandle(forWritingTo: log)
            handle.seekToEndOfFile()
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            try process.run()
            running = process
        }
        let deadline = Date().addingTimeInterval(30)
        while (try? Self.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", String(port)], binaries: binaries)) == nil {
            guard Date() < deadline, server.withLock({ $0?.isRunning ?? false }) else {
                let log = (try? String(contentsOf: folder.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
                halt()
                throw Problem(description: "PostgreSQL on port \(port) did not accept connections: \(log.suffix(2000))")
            }
            usleep(50_000)
        }
    }

    /// Stops the server at once (an immediate shutdown, as a crash of the database would look to
    /// its clients) and waits for it to go; ``resume()`` brings it back.
    public func halt() {
        server.withLock { running in
            guard let process = running else { return }
            if process.isRunning { kill(process.processIdentifier, SIGQUIT) }
            process.waitUntilExit()
            running = nil
        }
    }

    /// A new, empty database on this server and the location of it.
    public func makeDatabase() throws -> PostgresLocation {
        let name = "sluice_test_\(nextDatabase.wrappingAdd(1, ordering: .relaxed).newValue)"
        _ = try Self.run(["createdb", "-h", "127.0.0.1", "-p", String(port), "-U", "sluice", name], binaries: binaries)
        return PostgresLocation(host: "127.0.0.1", port: port, user: "sluice", password: nil, database: name, tls: .disable)
    }

    /// Stops the server and removes its folder.
    public func stop() {
        halt()
        try? FileManager.default.removeItem(at: folder)
    }

    deinit {
        stop()
    }

    /// The newest installed PostgreSQL's programs: Debian keeps them in /usr/lib/postgresql/N/bin.
    private static func locateBinaries() throws -> URL {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        for version in versions.compactMap(Int.init).sorted(by: >) {
            let bin = root.appendingPathComponent("\(version)/bin")
            if FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("initdb").path) {
                return bin
            }
        }
        throw Problem(
            description: "PostgreSQL's server is not installed (no /usr/lib/postgresql/N/bin/initdb): run `make bootstrap`, or `apt-get install postgresql`")
    }

    /// `program` from PostgreSQL's folder, as `nobody` when this process is root.
    private static func unprivileged(_ program: String) -> [String] {
        geteuid() == 0 ? ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", program] : [program]
    }

    /// PostgreSQL's programs first on `PATH`, and a locale its `initdb` accepts.
    private static func environment(_ binaries: URL) -> [String: String] {
        ["PATH": "\(binaries.path):/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C.UTF-8"]
    }

    private static func run(_ command: [String], binaries: URL) throws -> String {
        try Command.run(command[0], Array(command.dropFirst()), in: nil, environment: environment(binaries), input: nil) {
            status, output in
            Problem(description: "\(command.first { !$0.hasPrefix("-") && $0 != "setpriv" } ?? command[0]) exited \(status): \(output)")
        }
    }

    struct Problem: Error, CustomStringConvertible {
        let description: String
    }
}
