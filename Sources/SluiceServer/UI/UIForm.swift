import Foundation

/// An `application/x-www-form-urlencoded` body, as HTML forms post it.
struct UIForm {
    private var fields: [String: String] = [:]

    init(_ body: Data) {
        let text = String(decoding: body, as: UTF8.self)
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ part: Substring) -> String {
                part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            guard let key = parts.first.map(decoded), fields[key] == nil else { continue }
            fields[key] = parts.count > 1 ? decoded(parts[1]) : ""
        }
    }

    subscript(_ name: String) -> String? { fields[name] }
}
