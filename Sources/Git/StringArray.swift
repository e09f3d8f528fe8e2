import CGit2
import Glibc

/// Lends `strings` to libgit2 as a `git_strarray` (pathspecs, refspecs) for the length of `body`.
func withStringArray<T, Failure: Error>(
    _ strings: [String], _ body: (UnsafePointer<git_strarray>) throws(Failure) -> T
) throws(Failure) -> T {
    var cStrings = strings.map { strdup($0) }
    defer { cStrings.forEach { free($0) } }
    return try cStrings.withUnsafeMutableBufferPointer { buffer throws(Failure) in
        var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
        return try body(&array)
    }
}
