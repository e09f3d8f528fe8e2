import Hummingbird

/// A bad query parameter, answered as the API answers every 4xx: JSON that names the field and
/// says what to write instead. Routes throw it; Hummingbird turns it into the response.
struct BadQuery: HTTPResponseError {
    let field: String
    let message: String

    var status: HTTPResponse.Status { .badRequest }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONResponse.error(status, message, field: field)
    }
}

extension Request {
    /// The whole-number query parameter `name`, or `fallback` when it is absent.
    func wholeNumber<Number: FixedWidthInteger>(
        _ name: String, in range: ClosedRange<Number>, otherwise fallback: Number
    ) throws(BadQuery) -> Number {
        guard let text = uri.queryParameters.get(name) else { return fallback }
        guard let value = Number(text), range.contains(value) else {
            let bounds = range.upperBound == .max
                ? "\(range.lowerBound) or more" : "from \(range.lowerBound) to \(range.upperBound)"
            throw BadQuery(field: name, message: "\(name) must be a whole number, \(bounds)")
        }
        return value
    }
}
