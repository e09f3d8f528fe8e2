import Foundation

/// Serves the bare repositories under a directory over git's smart HTTP protocol on loopback.
///
/// A small Python `ThreadingHTTPServer` runs `git http-backend` per request (receive-pack on,
/// chunked request bodies de-chunked, optional basic auth). `python3 -m http.server --cgi` cannot
/// do this: it drops privileges as root and cannot read chunked bodies, which libgit2 always sends
/// for pushes. Bound to 127.0.0.1 on a port the system picks unless one is given.
/// `@unchecked Sendable`: `Process` is not `Sendable`, but after `init` it is only signalled and
/// waited on, which is safe from any thread.
public final class GitHTTPServer: @unchecked Sendable {
    /// `http://127.0.0.1:PORT`
    public let baseURL: String
    public let port: Int
    private let process: Process
    private let scratch: ScratchDirectory

    /// Starts serving `root`. With `basicAuth`, every request must carry that user and password.
    public init(root: URL, basicAuth: (user: String, password: String)? = nil, port: Int = 0) throws {
        scratch = try ScratchDirectory("git-http")
        let script = scratch.path("git_http_server.py")
        try Data(Self.script.utf8).write(to: script)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", script.path, root.path, String(port), basicAuth.map { "\($0.user):\($0.password)" } ?? "",
        ]
        var environment = GitCLI.environment
        environment["PYTHONUNBUFFERED"] = "1"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = Self.readLine(output.fileHandleForReading)
        guard let bound = Int(line) else {
            process.terminate()
            throw CocoaError(.fileReadUnknown, userInfo: [NSDebugDescriptionErrorKey: "git HTTP server did not start: \(line)"])
        }
        self.port = bound
        baseURL = "http://127.0.0.1:\(bound)"
    }

    /// The URL of a repository under the served root (`model.git`).
    public func url(_ repository: String) -> String {
        "\(baseURL)/\(repository)"
    }

    /// Kills the server at once (SIGKILL), as a crash would, and waits for it to go.
    public func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        kill()
    }

    private static func readLine(_ handle: FileHandle) -> String {
        var bytes: [UInt8] = []
        while let byte = try? handle.read(upToCount: 1), let first = byte.first, first != UInt8(ascii: "\n") {
            bytes.append(first)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static let script = #"""
        import base64, os, shutil, subprocess, sys, threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        ROOT, PORT, AUTH = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        EXPECTED = "Basic " + base64.b64encode(AUTH.encode()).decode() if AUTH else None

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self.serve()

            def do_POST(self):
                self.serve()

            def body(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def serve(self):
                if EXPECTED and self.headers.get("Authorization") != EXPECTED:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="git"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = self.body() if self.command == "POST" else b""
                path, _, query = self.path.partition("?")
                env = dict(os.environ)
                env.update({
                    "GIT_PROJECT_ROOT": ROOT, "GIT_HTTP_EXPORT_ALL": "1",
                    "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "http.receivepack", "GIT_CONFIG_VALUE_0": "true",
                    "REQUEST_METHOD": self.command, "PATH_INFO": path, "QUERY_STRING": query,
                    "CONTENT_TYPE": self.headers.get("Content-Type", ""), "CONTENT_LENGTH": str(len(body)),
                    "REMOTE_ADDR": self.client_address[0], "REMOTE_USER": AUTH.split(":")[0] if AUTH else "",
                    "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
                    "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
                })
                backend = subprocess.Popen(["git", "http-backend"], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
                def feed():
                    try:
                        backend.stdin.write(body)
                        backend.stdin.close()
                    except BrokenPipeError:
                        pass
                threading.Thread(target=feed, daemon=True).start()
                status, headers = 200, []
                while True:
                    line = backend.stdout.readline().decode("latin-1").rstrip("\r\n")
                    if not line:
                        break
                    name, _, value = line.partition(":")
                    if name.lower() == "status":
                        status = int(value.strip().split()[0])
                    else:
                        headers.append((name, value.strip()))
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Connection", "close")
                self.end_headers()
                shutil.copyfileobj(backend.stdout, self.wfile, 1 << 16)
                backend.wait()

        ThreadingHTTPServer.daemon_threads = True
        server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#
}
