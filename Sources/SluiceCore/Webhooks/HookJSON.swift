import Foundation

/// Decodes a webhook body into a small `Decodable` shape and turns decoding failures into
/// `HookError`s that name the JSON path at fault.
///
/// Every parser decodes only the fields it uses, so unknown fields never fail a delivery and a
/// 28 KB pull request body costs one pass of `JSONDecoder`. `DecodingError`'s coding path is the
/// JSON path (`pull_request.head.sha`, `Records[0].s3.object.key`) the sender must fix.
enum HookJSON {
    static func decode<T: Decodable>(_ type: T.Type, from body: Data) throws(HookError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch let error as DecodingError {
            throw hookError(for: error)
        } catch {
            throw HookError(.malformed, "body is not valid JSON")
        }
    }

    /// The JSON path of a coding path: keys joined with dots, array indices in brackets.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var path = ""
        for key in codingPath {
            if let index = key.intValue, key.stringValue.hasPrefix("Index ") || key.stringValue == String(index) {
                path += "[\(index)]"
            } else {
                path += path.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return path
    }

    /// A field error for a path the parser checks itself (a value of the right type but not usable).
    static func invalid(_ path: String, _ why: String) -> HookError {
        HookError(.missingField, path, "field \(path) \(why)")
    }

    static func missing(_ path: String) -> HookError {
        HookError(.missingField, path, "missing field \(path)")
    }

    private static func hookError(for error: DecodingError) -> HookError {
        switch error {
        case .keyNotFound(let key, let context):
            return missing(path(context.codingPath + [key]))
        case .valueNotFound(let type, let context):
            if context.codingPath.isEmpty {
                return HookError(.malformed, "body is not a JSON object")
            }
            return invalid(path(context.codingPath), "is null; expected \(describe(type))")
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty {
                return HookError(.malformed, "body is not a JSON object")
            }
            return invalid(path(context.codingPath), "must be \(describe(type))")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return HookError(.malformed, "body is not valid JSON")
            }
            return invalid(path(context.codingPath), "has an unusable value")
        @unknown default:
            return HookError(.malformed, "body is not valid JSON")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is UInt64.Type: "an integer"
        case is Double.Type: "a number"
        default:
            String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
