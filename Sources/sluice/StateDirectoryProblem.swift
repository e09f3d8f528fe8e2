import Foundation

/// Why a state directory could not be opened, in words that name the setting and the path to
/// fix, instead of Foundation's `NSCocoaErrorDomain Code=512`.
enum StateDirectoryProblem {
    /// `key` is where the user set the directory (`state_dir`, `--state-dir`).
    static func describe(_ directory: URL, key: String, error: any Error) -> String {
        let target = directory.standardizedFileURL.path
        var existing = target
        while !FileManager.default.fileExists(atPath: existing), existing != "/" {
            existing = (existing as NSString).deletingLastPathComponent
        }
        var isFolder: ObjCBool = false
        let reason: String
        if FileManager.default.fileExists(atPath: existing, isDirectory: &isFolder), !isFolder.boolValue {
            reason = "\(existing) is a file, not a folder"
        } else if access(existing, W_OK | X_OK) != 0 {
            reason = "\(existing) is not writable by this user"
        } else {
            reason = "\(error)"
        }
        return "\(key) \(target) cannot be used: \(reason); point \(key) at a folder this user may create and write"
    }
}
