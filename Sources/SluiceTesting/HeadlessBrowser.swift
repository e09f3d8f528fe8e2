import Foundation

/// A real browser for UI tests: Debian's `chromium`, headless, driven over the DevTools
/// protocol on a pipe (`--remote-debugging-pipe`), so no port and no WebSocket client are
/// needed. A small Python driver speaks the protocol; this type sends it one command per line.
///
/// `@unchecked Sendable`: `Process` and the pipe handles are not `Sendable`; one test drives a
/// browser from one task, one command at a time.
public final class HeadlessBrowser: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Where Debian installs chromium.
    public static let executable = "/usr/bin/chromium"

    /// Whether chromium is installed (`make bootstrap` installs it).
    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    private let process = Process()
    private let input: FileHandle
    private let output: FileHandle
    private let scratch: ScratchDirectory

    public init() throws {
        scratch = try ScratchDirectory("headless-browser")
        let script = scratch.path("cdp_driver.py")
        try Data(Self.driver.utf8).write(to: script)
        let stdin = Pipe()
        let stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, Self.executable, scratch.path("profile").path]
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        input = stdin.fileHandleForWriting
        output = stdout.fileHandleForReading
        _ = try send(["op": "ready"])
    }

    /// Loads `url` and waits until the document has loaded.
    public func open(_ url: String) throws {
        _ = try send(["op": "open", "url": url])
    }

    /// Evaluates `script` in the page and returns its value as JSON text (`"text"`, `true`, `null`).
    @discardableResult
    public func evaluate(_ script: String) throws -> String {
        try send(["op": "eval", "js": script])
    }

    /// Evaluates `script` every 100 ms until it is truthy and the page has loaded, for at most `seconds`.
    public func waitUntil(_ script: String, seconds: Double = 20) throws {
        _ = try send(["op": "wait", "js": script, "seconds": seconds])
    }

    /// The page's visible text.
    public func text() throws -> String {
        let json = try evaluate("document.body ? document.body.innerText : ''")
        return (try? JSONDecoder().decode(String.self, from: Data(json.utf8))) ?? json
    }

    private func send(_ command: [String: Any]) throws -> String {
        var line = try JSONSerialization.data(withJSONObject: command)
        line.append(0x0A)
        try input.write(contentsOf: line)
        var answer = Data()
        while true {
            let byte = try output.read(upToCount: 1) ?? Data()
            guard !byte.isEmpty else { throw Failure(description: "the browser driver stopped") }
            if byte[0] == 0x0A { break }
            answer.append(byte)
        }
        guard let reply = try JSONSerialization.jsonObject(with: answer) as? [String: Any] else {
            throw Failure(description: "the browser driver said: \(String(decoding: answer, as: UTF8.self))")
        }
        guard reply["ok"] as? Bool == true else {
            throw Failure(description: "the browser: \(reply["error"] as? String ?? "failed")")
        }
        return reply["value"] as? String ?? "null"
    }

    deinit {
        try? input.close()
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Reads one JSON command per line, answers one JSON line each; talks to chromium over the
    /// DevTools pipe (fd 3 in, fd 4 out, messages ending in NUL).
    private static let driver = #"""
        import json, os, subprocess, sys, time

        chromium, profile = sys.argv[1], sys.argv[2]
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()

        def wire():
            high_in, high_out = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)

        browser = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--remote-debugging-pipe",
             "--user-data-dir=" + profile, "about:blank"],
            preexec_fn=wire, pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        pending = b""
        next_id = 0
        session = None

        def call(method, params=None, with_session=True):
            global next_id, pending
            next_id += 1
            message = {"id": next_id, "method": method, "params": params or {}}
            if with_session and session:
                message["sessionId"] = session
            os.write(to_browser_w, json.dumps(message).encode() + b"\0")
            while True:
                while b"\0" not in pending:
                    chunk = os.read(from_browser_r, 65536)
                    if not chunk:
                        raise RuntimeError("chromium closed the DevTools pipe")
                    pending += chunk
                raw, pending = pending.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == next_id:
                    if "error" in reply:
                        raise RuntimeError(method + ": " + reply["error"].get("message", "error"))
                    return reply.get("result", {})

        def evaluate(js):
            result = call("Runtime.evaluate", {"expression": js, "returnByValue": True, "awaitPromise": True})
            if "exceptionDetails" in result:
                raise RuntimeError("script failed: " + json.dumps(result["exceptionDetails"].get("exception", {}).get("description", "")))
            return result.get("result", {}).get("value")

        def wait(js, seconds):
            deadline = time.time() + seconds
            while time.time() < deadline:
                try:
                    if evaluate("document.readyState") == "complete" and evaluate(js):
                        return
                except RuntimeError:
                    pass  # the page is between documents
                time.sleep(0.1)
            raise RuntimeError("timed out waiting until " + js + " on " + str(evaluate("location.href")))

        def attach():
            global session
            targets = call("Target.getTargets", with_session=False)["targetInfos"]
            page = next(t for t in targets if t["type"] == "page")
            session = call("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True}, with_session=False)["sessionId"]
            call("Page.enable")
            call("Runtime.enable")

        for line in sys.stdin:
            command = json.loads(line)
            try:
                op = command["op"]
                if op == "ready":
                    attach()
                    value = None
                elif op == "open":
                    call("Page.navigate", {"url": command["url"]})
                    time.sleep(0.05)
                    wait("true", 20)
                    value = None
                elif op == "eval":
                    value = json.dumps(evaluate(command["js"]))
                elif op == "wait":
                    wait(command["js"], command.get("seconds", 20))
                    value = None
                answer = {"ok": True, "value": value}
            except Exception as error:
                answer = {"ok": False, "error": str(error)}
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
        browser.terminate()
        browser.wait()
        """#
}
