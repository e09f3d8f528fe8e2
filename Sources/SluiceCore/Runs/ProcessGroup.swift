import Foundation
import Glibc

/// The process group of one step, signalled and watched as a whole.
///
/// The step's direct child starts a new session, so the group id is its pid and the group holds every process the
/// step forks unless one of them calls `setsid` itself. swift-subprocess stops tearing down once the direct child
/// has exited, which would leave a grandchild behind; this type stops and reaps the group instead. A killed process
/// stays a zombie until its parent (for orphans, init) reaps it, so "live" here means present and not a zombie.
struct ProcessGroup: Sendable {
    let id: pid_t

    /// How often the group is looked at while waiting for it to go.
    private static let pollInterval = Duration.milliseconds(20)

    /// Sends `signal` to every process in the group.
    func send(_ signal: Int32) {
        _ = kill(-id, signal)
    }

    /// Whether no process, zombies included, is left in the group.
    var isGone: Bool {
        kill(-id, 0) == -1 && errno == ESRCH
    }

    /// The pids of the group's members that are not zombies, read from `/proc`.
    func liveMembers() -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = pid_t(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let commandEnd = stat.lastIndex(of: ")")
            else { return nil }
            // After "pid (command)": state, ppid, pgrp, ...
            let fields = stat[stat.index(after: commandEnd)...].split(separator: " ")
            guard fields.count > 2, pid_t(fields[2]) == id, fields[0] != "Z", fields[0] != "X" else { return nil }
            return pid
        }
    }

    /// SIGTERM to the group, up to `grace` for every member to exit, then SIGKILL to the group.
    func stop(grace: Duration, clock: any WallClock) async {
        send(SIGTERM)
        let deadline = clock.now.addingTimeInterval(grace / .seconds(1))
        while clock.now < deadline, !isGone, !liveMembers().isEmpty {
            await clock.pause(for: Self.pollInterval)
        }
        send(SIGKILL)
    }

    /// SIGKILL to the group, then waits up to `bound` until no member is alive; returns those still alive after that.
    ///
    /// Zombies do not count: they run nothing and hold nothing but a pid, and an orphan's zombie waits for init,
    /// which on some hosts reaps only every few seconds; waiting for it would add that to every step.
    func reap(within bound: Duration = .seconds(5), clock: any WallClock) async -> [pid_t] {
        send(SIGKILL)
        let deadline = clock.now.addingTimeInterval(bound / .seconds(1))
        while !isGone {
            let alive = liveMembers()
            guard !alive.isEmpty, clock.now < deadline else { return alive }
            await clock.pause(for: Self.pollInterval)
        }
        return []
    }
}
