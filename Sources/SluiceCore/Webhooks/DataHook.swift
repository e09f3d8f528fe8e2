import Foundation

/// Turns a data-arrival notification (Sluice's own JSON, an S3 or MinIO event, a GCS Pub/Sub push
/// or CloudEvent) into `DataArrival` triggers, one per object version and matching dataset.
///
/// Storage notifications are delivered at least once and carry no delivery id we could trust
/// across senders, so the delivery key is nil and each trigger is keyed by the object version
/// itself, `data:<dataset>:<uri>@<version>`: the same version announced twice queues once.
/// Call it only after the data source's bearer token or `X-Sluice-Signature-256` was verified.
public enum DataHook {
    /// The notification format a data source (from the server config) sends.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// `{"dataset"?, "uri", "version", "sha256"?, "size"?}`, for producers that call Sluice directly.
        case sluice
        /// An S3 event notification (`Records[]`, also MinIO's variant) or its EventBridge form.
        case s3
        /// A GCS Pub/Sub push envelope or a `google.cloud.storage.object.v1.finalized` CloudEvent.
        case gcs
    }

    /// A dataset from the server config: its name and whether an object URI belongs to it.
    ///
    /// The matcher is a closure so this file needs no config type; `@Sendable` so a list of them
    /// can be built once and shared between request handlers.
    public struct Dataset: Sendable {
        public var name: String
        public var matches: @Sendable (String) -> Bool

        public init(name: String, matches: @escaping @Sendable (String) -> Bool) {
            self.name = name
            self.matches = matches
        }
    }

    /// Reads one notification from the data source named `source` (the `/hooks/data/{source}` path).
    ///
    /// Every new object version times every dataset whose matcher accepts its URI gives one
    /// trigger; deletions, test events and objects no dataset matches are ignored with a reason.
    /// A Sluice-format event that names its dataset skips matching, and an unknown name is refused
    /// (`.missingField`, field `dataset`) because the sender, not the config, is wrong.
    public static func parse(kind: Kind, source: String, body: Data, datasets: [Dataset]) throws(HookError)
        -> IncomingDelivery
    {
        let event: String
        let objects: [Object]
        // Sluice's own format may name its dataset; then the URI need not match any pattern.
        var named: String?
        switch kind {
        case .sluice:
            let object: Object
            (named, object) = try sluice(body)
            if let named, !datasets.contains(where: { $0.name == named }) {
                let known = datasets.map(\.name).sorted().joined(separator: ", ")
                throw HookJSON.invalid(
                    "dataset", "names unknown dataset \(named); known datasets: \(known.isEmpty ? "none" : known)")
            }
            (event, objects) = ("data", [object])
        case .s3, .gcs:
            switch try kind == .s3 ? s3(body) : gcs(body) {
            case .ignored(let name, let reason):
                return IncomingDelivery(
                    source: "data:\(source)", project: nil, event: name, deliveryKey: nil,
                    verdict: .ignored(reason: reason))
            case .objects(let name, let found):
                (event, objects) = (name, found)
            }
        }

        var triggers: [KeyedTrigger] = []
        var keys: Set<String> = []
        for object in objects {
            for dataset in datasets where named.map({ $0 == dataset.name }) ?? dataset.matches(object.uri) {
                let arrival = DataArrival(
                    source: source, dataset: dataset.name, uri: object.uri, version: object.version,
                    sha256: object.sha256, size: object.size)
                let dedupeKey = key(arrival)
                if keys.insert(dedupeKey).inserted {
                    triggers.append(KeyedTrigger(.dataArrival(arrival), dedupeKey: dedupeKey))
                }
            }
        }
        let verdict: IncomingDelivery.Verdict =
            triggers.isEmpty
            ? .ignored(reason: "no dataset matches \(objects.map(\.uri).joined(separator: ", "))")
            : .accepted(triggers)
        return IncomingDelivery(source: "data:\(source)", project: nil, event: event, deliveryKey: nil, verdict: verdict)
    }

    private static func key(_ arrival: DataArrival) -> String {
        "data:\(arrival.dataset):\(arrival.uri)@\(arrival.version)"
    }

    /// One object version named by a notification.
    private struct Object {
        var uri: String
        var version: String
        var sha256: Digest?
        var size: Int?
    }

    private enum Found {
        case objects(event: String, [Object])
        case ignored(event: String, reason: String)
    }

    // MARK: Sluice's own format

    private struct SluiceBody: Decodable {
        var dataset: String?
        var uri: String
        var version: String
        var sha256: String?
        var size: Int?
    }

    private static func sluice(_ body: Data) throws(HookError) -> (dataset: String?, Object) {
        let payload = try HookJSON.decode(SluiceBody.self, from: body)
        guard !payload.uri.isEmpty else { throw HookJSON.invalid("uri", "is empty") }
        guard !payload.version.isEmpty else { throw HookJSON.invalid("version", "is empty") }
        let sha256 = try payload.sha256.map { text throws(HookError) in
            guard let digest = Digest(hex: text.lowercased()) else { throw HookJSON.invalid("sha256", "must be 64 hex digits") }
            return digest
        }
        if let size = payload.size, size < 0 { throw HookJSON.invalid("size", "must not be negative") }
        let object = Object(uri: payload.uri, version: payload.version, sha256: sha256, size: payload.size)
        return (payload.dataset, object)
    }

    // MARK: S3, MinIO, EventBridge

    private struct S3Object: Decodable {
        var key: String
        var size: Int?
        var eTag: String?
        var versionId: String?
        var sequencer: String?
    }

    private struct S3Record: Decodable {
        struct Bucket: Decodable { var name: String }
        struct Entity: Decodable {
            var bucket: Bucket
            var object: S3Object
        }
        var eventVersion: String?
        var eventName: String
        var s3: Entity
    }

    private struct S3Body: Decodable {
        struct Detail: Decodable {
            struct Bucket: Decodable { var name: String }
            struct Object: Decodable {
                var key: String
                var size: Int?
                var etag: String?
                var versionID: String?
                var sequencer: String?

                enum CodingKeys: String, CodingKey {
                    case key, size, etag, sequencer
                    case versionID = "version-id"
                }
            }
            var bucket: Bucket
            var object: Object
        }
        var records: [S3Record]?
        var event: String?
        var detailType: String?
        var detail: Detail?

        enum CodingKeys: String, CodingKey {
            case records = "Records"
            case event = "Event"
            case detailType = "detail-type"
            case detail
        }
    }

    private static func s3(_ body: Data) throws(HookError) -> Found {
        let payload = try HookJSON.decode(S3Body.self, from: body)
        if let event = payload.event {
            return .ignored(event: event, reason: event == "s3:TestEvent" ? "s3:TestEvent" : "S3 event \(event)")
        }
        if let detailType = payload.detailType {
            guard detailType == "Object Created" else {
                return .ignored(event: detailType, reason: "EventBridge \(detailType) is not new data")
            }
            guard let detail = payload.detail else { throw HookJSON.missing("detail") }
            let object = try s3Object(
                bucket: detail.bucket.name, key: detail.object.key, versionID: detail.object.versionID,
                etag: detail.object.etag, sequencer: detail.object.sequencer, size: detail.object.size,
                path: "detail.object")
            return .objects(event: detailType, [object])
        }
        guard let records = payload.records else { throw HookJSON.missing("Records") }
        guard let first = records.first else { return .ignored(event: "s3", reason: "no Records") }
        var objects: [Object] = []
        var skipped: [String] = []
        for (index, record) in records.enumerated() {
            // MinIO writes `s3:ObjectCreated:Put`, AWS `ObjectCreated:Put`.
            let name = record.eventName.hasPrefix("s3:") ? String(record.eventName.dropFirst(3)) : record.eventName
            if let version = record.eventVersion, version.split(separator: ".").first != "2" {
                skipped.append("eventVersion \(version)")
                continue
            }
            guard name.hasPrefix("ObjectCreated:") else {
                skipped.append(record.eventName)
                continue
            }
            let object = record.s3.object
            objects.append(
                try s3Object(
                    bucket: record.s3.bucket.name, key: object.key, versionID: object.versionId, etag: object.eTag,
                    sequencer: object.sequencer, size: object.size, path: "Records[\(index)].s3.object"))
        }
        guard !objects.isEmpty else {
            return .ignored(
                event: first.eventName, reason: "no ObjectCreated record (\(skipped.joined(separator: ", ")))")
        }
        return .objects(event: first.eventName, objects)
    }

    /// An S3 object version: the key URL-decoded (`+` is a space; AWS documents this for event
    /// notifications, and the EventBridge form is decoded the same way, which leaves plain keys
    /// unchanged), identity `versionId`, or
    /// `etag:sequencer` on an unversioned bucket. A `versionId` of `null` is S3's name for the
    /// version written while versioning was off or suspended, which a later such write replaces,
    /// so it does not identify one version and etag + sequencer is used instead.
    private static func s3Object(
        bucket: String, key: String, versionID: String?, etag: String?, sequencer: String?, size: Int?, path: String
    ) throws(HookError) -> Object {
        guard let decoded = key.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
            throw HookJSON.invalid("\(path).key", "is not URL-encoded")
        }
        let version: String
        if let versionID, !versionID.isEmpty, versionID != "null" {
            version = versionID
        } else if let etag, !etag.isEmpty, let sequencer, !sequencer.isEmpty {
            version = "\(etag):\(sequencer)"
        } else {
            throw HookJSON.invalid(path, "has neither a version id nor an etag and sequencer to identify the version")
        }
        return Object(uri: "s3://\(bucket)/\(decoded)", version: version, sha256: nil, size: size)
    }

    // MARK: GCS

    /// A GCS generation or size: an int64 that the JSON API writes as a string.
    private struct Integer: Decodable {
        var text: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int64.self) {
                text = String(number)
            } else {
                let string = try container.decode(String.self)
                guard !string.isEmpty, string.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
                else {
                    throw DecodingError.dataCorrupted(
                        .init(codingPath: container.codingPath, debugDescription: "not an integer"))
                }
                text = string
            }
        }
    }

    /// The parts of the JSON API object resource Sluice uses.
    private struct ObjectResource: Decodable {
        var bucket: String?
        var name: String?
        var generation: Integer?
        var size: Integer?
    }

    private struct GCSBody: Decodable {
        struct Message: Decodable {
            var attributes: [String: String]?
            var data: String?
        }
        var message: Message?
        var type: String?
        var data: ObjectResource?
    }

    private static func gcs(_ body: Data) throws(HookError) -> Found {
        let payload = try HookJSON.decode(GCSBody.self, from: body)
        if let message = payload.message {
            guard let attributes = message.attributes else { throw HookJSON.missing("message.attributes") }
            guard let eventType = attributes["eventType"] else { throw HookJSON.missing("message.attributes.eventType") }
            guard eventType == "OBJECT_FINALIZE" else {
                return .ignored(event: eventType, reason: "GCS \(eventType) is not new data")
            }
            guard let bucket = attributes["bucketId"] else { throw HookJSON.missing("message.attributes.bucketId") }
            guard let name = attributes["objectId"] else { throw HookJSON.missing("message.attributes.objectId") }
            guard let generation = attributes["objectGeneration"], !generation.isEmpty else {
                throw HookJSON.missing("message.attributes.objectGeneration")
            }
            var size: Int?
            if let data = message.data, !data.isEmpty, attributes["payloadFormat"] != "NONE" {
                guard let resourceJSON = Data(base64Encoded: data),
                    let resource = try? JSONDecoder().decode(ObjectResource.self, from: resourceJSON)
                else {
                    throw HookJSON.invalid("message.data", "is not a base64 JSON object resource")
                }
                size = resource.size.flatMap { Int($0.text) }
            }
            return .objects(
                event: eventType, [Object(uri: "gs://\(bucket)/\(name)", version: generation, sha256: nil, size: size)])
        }
        if let type = payload.type {
            guard type == "google.cloud.storage.object.v1.finalized" else {
                return .ignored(event: type, reason: "CloudEvent \(type) is not new data")
            }
            guard let resource = payload.data else { throw HookJSON.missing("data") }
            guard let bucket = resource.bucket else { throw HookJSON.missing("data.bucket") }
            guard let name = resource.name else { throw HookJSON.missing("data.name") }
            guard let generation = resource.generation else { throw HookJSON.missing("data.generation") }
            let object = Object(
                uri: "gs://\(bucket)/\(name)", version: generation.text, sha256: nil,
                size: resource.size.flatMap { Int($0.text) })
            return .objects(event: type, [object])
        }
        throw HookJSON.missing("message")
    }
}
