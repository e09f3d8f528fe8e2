import Foundation
import SluiceCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A real S3-compatible server for the tests and benchmarks: moto's `moto_server`, which
/// `make bootstrap` installs from PyPI into `.build/venv`, listening on 127.0.0.1 and a free port,
/// and stopped when the process exits.
///
/// It checks every request's SigV4 signature: after the three IAM calls that create the tests'
/// user, its access key and its policy (`s3:*`), moto authenticates every request, so a request
/// libcurl signed wrongly, or with another key, is refused as AWS would refuse it. Each test takes
/// a bucket of its own with ``makeBucket()``. When moto is not installed, starting it fails with
/// what to run: it never skips.
public final class S3Server: Sendable {
    public let port: Int
    public let accessKeyID: String
    public let secretAccessKey: String
    private let server: Mutex<Process?>
    private let nextBucket = Atomic(0)

    /// The virtual environment `make bootstrap` fills with the tests' outside systems.
    static let environment = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../.build/venv").standardizedFileURL

    /// The server for this process, started on first use.
    public static func shared() throws -> S3Server {
        _ = stopsAtExit
        return try sharedServer.get()
    }

    private static let sharedServer = Result { try S3Server() }
    private static let stopsAtExit: Void = { atexit { try? S3Server.sharedServer.get().stop() } }()

    private init() throws {
        let program = Self.environment.appendingPathComponent("bin/moto_server")
        guard FileManager.default.isExecutableFile(atPath: program.path) else {
            throw Problem(description: "moto's S3 server is not installed (no \(program.path)): run `make bootstrap`")
        }
        port = try FreePort.pick()
        let process = Process()
        process.executableURL = program
        process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        // Authentication starts after the three unauthenticated IAM calls of `createUser`.
        process.environment = ["PATH": "/usr/bin:/bin", "INITIAL_NO_AUTH_ACTION_COUNT": "3", "HOME": NSTemporaryDirectory()]
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-moto-\(port).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        server = Mutex(process)
        let deadline = Date().addingTimeInterval(30)
        while !FreePort.isListening(port) {
            guard Date() < deadline, process.isRunning else {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                if process.isRunning { process.terminate() }
                throw Problem(description: "moto_server did not listen on 127.0.0.1:\(port): \(text.suffix(2000))")
            }
            usleep(50_000)
        }
        let keys = try Self.python(
            """
            import boto3, json
            iam = boto3.client("iam", endpoint_url=ENDPOINT, region_name="us-east-1",
                               aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
            iam.create_user(UserName="sluice")
            key = iam.create_access_key(UserName="sluice")["AccessKey"]
            iam.put_user_policy(UserName="sluice", PolicyName="artifacts", PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
            print(key["AccessKeyId"], key["SecretAccessKey"])
            """, port: port, keys: nil)
        let parts = keys.split(separator: " ").map(String.init)
        guard parts.count == 2 else { throw Problem(description: "moto gave no access key: \(keys)") }
        (accessKeyID, secretAccessKey) = (parts[0], parts[1])
    }

    /// The server's address, as `artifacts.s3.endpoint` names it.
    public var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// A new, empty bucket and its location, with this server's keys.
    public func makeBucket(prefix: String = "") throws -> S3Location {
        let name = "sluice-test-\(nextBucket.wrappingAdd(1, ordering: .relaxed).newValue)"
        _ = try Self.python(
            "boto3.client('s3', endpoint_url=ENDPOINT, region_name='us-east-1', **KEYS).create_bucket(Bucket='\(name)')",
            port: port, keys: (accessKeyID, secretAccessKey))
        return S3Location(
            endpoint: endpoint, bucket: name, prefix: prefix, region: "us-east-1", accessKeyID: accessKeyID,
            secretAccessKey: Secret(secretAccessKey))
    }

    /// Writes `bytes` as the object `key` of `bucket` with boto3, as another client could: how a
    /// test damages what the store wrote.
    public func put(_ bytes: Data, key: String, in bucket: String) throws {
        _ = try Self.python(
            "import sys\nboto3.client('s3', endpoint_url=ENDPOINT, region_name='us-east-1', **KEYS)"
                + ".put_object(Bucket='\(bucket)', Key='\(key)', Body=sys.stdin.buffer.read())",
            port: port, keys: (accessKeyID, secretAccessKey), input: bytes)
    }

    /// The keys of the objects in `bucket`, listed with boto3.
    public func keys(in bucket: String) throws -> [String] {
        let text = try Self.python(
            "s3 = boto3.client('s3', endpoint_url=ENDPOINT, region_name='us-east-1', **KEYS)\n"
                + "for page in s3.get_paginator('list_objects_v2').paginate(Bucket='\(bucket)'):\n"
                + "    for item in page.get('Contents', []): print(item['Key'])",
            port: port, keys: (accessKeyID, secretAccessKey))
        return text.split(separator: "\n").map(String.init)
    }

    /// Stops the server (it keeps nothing worth a clean shutdown). Waits with `waitpid`, not
    /// `Process.waitUntilExit`, which spins forever when called from an `atexit` handler.
    public func stop() {
        server.withLock { running in
            guard let process = running else { return }
            let pid = process.processIdentifier
            kill(pid, SIGKILL)
            for _ in 0..<200 where waitpid(pid, nil, WNOHANG) == 0 {
                usleep(10_000)
            }
            running = nil
        }
    }

    /// Runs `script` in the virtual environment's Python, with `ENDPOINT` and `KEYS` defined and
    /// boto3 imported; returns what it printed.
    private static func python(
        _ script: String, port: Int, keys: (String, String)?, input: Data? = nil
    ) throws -> String {
        let credentials = keys.map { "dict(aws_access_key_id='\($0.0)', aws_secret_access_key='\($0.1)')" } ?? "{}"
        let prelude = "import boto3\nENDPOINT = 'http://127.0.0.1:\(port)'\nKEYS = \(credentials)\n"
        return try Command.run(
            environment.appendingPathComponent("bin/python").path, ["-c", prelude + script], in: nil,
            environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "AWS_EC2_METADATA_DISABLED": "true"],
            input: input
        ) { status, output in Problem(description: "moto setup exited \(status): \(output)") }
    }

    struct Problem: Error, CustomStringConvertible {
        let description: String
    }
}
