import Foundation
import Hummingbird

/// JSON bodies for every answer Sluice gives, errors included: a 4xx always says what to fix.
enum JSONResponse {
    static func make(_ status: HTTPResponse.Status, _ body: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let data = (try? encoder.encode(body)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A body already written as JSON.
    static func raw(_ status: HTTPResponse.Status, _ json: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }

    /// `{"error": "...", "field": "..."}`
    static func error(_ status: HTTPResponse.Status, _ message: String, field: String? = nil) -> Response {
        make(status, ErrorBody(error: message, field: field))
    }

    private struct ErrorBody: Encodable {
        let error: String
        let field: String?
    }
}
