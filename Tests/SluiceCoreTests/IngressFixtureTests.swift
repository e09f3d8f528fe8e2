import Foundation
import Testing

@testable import SluiceCore

/// Payloads written for Sluice in `Tests/Fixtures/webhooks/`, covering what no published capture
/// shows: a GitLab fork MR, a tag deletion, a `/sluice` command, our own data format, S3 key
/// encoding and identities, a Pub/Sub envelope, an Alertmanager group with a `sluice_model` alert.
struct IngressFixtureTests {
    static let folder: URL = URL(filePath: #filePath)
        .deletingLastPathComponent()  // SluiceCoreTests
        .deletingLastPathComponent()  // Tests
        .appending(path: "Fixtures/webhooks")

    static func body(_ file: String) throws -> Data {
        try Data(contentsOf: folder.appending(path: file))
    }

    static func triggers(_ delivery: IncomingDelivery) -> [KeyedTrigger] {
        guard case .accepted(let triggers) = delivery.verdict else {
            Issue.record("expected accepted, got \(delivery.verdict)")
            return []
        }
        return triggers
    }

    static let lake = [
        DataHook.Dataset(name: "transactions", matches: { $0.contains("transactions") }),
        DataHook.Dataset(name: "features", matches: { $0.hasPrefix("gs://ml-lake-gcs/features/") }),
        DataHook.Dataset(name: "all-s3", matches: { $0.hasPrefix("s3://") }),
    ]

    @Test("A GitLab merge request from another project is a fork")
    func gitLabForkMergeRequest() throws {
        let delivery = try GitLabHook.parse(
            event: "Merge Request Hook", idempotencyKey: nil, eventUUID: "0d1f-uuid",
            body: try Self.body("gitlab/merge_request-open-fork.json"), project: "churn", watchesBranch: { _ in true })
        #expect(delivery.deliveryKey == "gitlab:0d1f-uuid")
        let expected = PullRequest(
            project: "churn", number: 12, action: .opened, headSHA: "3f1c2a9be4d5f60718293a4b5c6d7e8f90a1b2c3",
            headRef: "tune-lr", baseRef: "main", previousHeadSHA: nil, mergeCommitSHA: nil, isFork: true,
            author: "forker")
        #expect(Self.triggers(delivery).map(\.trigger) == [.pullRequest(expected)])
        #expect(Self.triggers(delivery).map(\.dedupeKey) == ["gitlab:0d1f-uuid"])
    }

    @Test("A GitLab tag push whose after is all zeros deletes the tag")
    func gitLabTagDeletion() throws {
        let body = try Self.body("gitlab/tag_push-deleted.json")
        let delivery = try GitLabHook.parse(
            event: "Tag Push Hook", idempotencyKey: nil, eventUUID: nil, body: body, project: "churn",
            watchesBranch: { _ in false })
        let expected = Push(
            project: "churn", ref: "refs/tags/v1.0.0", refKind: .tag, before: "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7",
            after: Push.zeroCommit, created: false, deleted: true, forced: false, pusher: "jsmith")
        #expect(Self.triggers(delivery).map(\.trigger) == [.push(expected)])
        // Neither delivery id header: the key is the body's hash, stable across GitLab's retries.
        #expect(delivery.deliveryKey?.hasPrefix("gitlab:sha256:") == true)
        #expect(delivery.deliveryKey?.count == "gitlab:sha256:".count + 64)
    }

    @Test("A GitHub comment with /sluice approve production gives an approve command")
    func gitHubApproveComment() throws {
        let delivery = try GitHubHook.parse(
            event: "issue_comment", deliveryID: "d-1", body: try Self.body("github/issue_comment-approve.json"),
            project: "churn", watchesBranch: { _ in true })
        let expected = CommentCommand(
            project: "churn", number: 7, verb: .approve, environment: "production", commenter: "alice",
            authorAssociation: "MEMBER")
        #expect(Self.triggers(delivery).map(\.trigger) == [.command(expected)])
        #expect(Self.triggers(delivery).map(\.dedupeKey) == ["github:d-1"])
    }

    @Test("A Sluice-format data event names its dataset and keeps its digest in lower case")
    func sluiceDataEvent() throws {
        let delivery = try DataHook.parse(
            kind: .sluice, source: "warehouse", body: try Self.body("data/sluice-transactions.json"), datasets: Self.lake)
        let expected = DataArrival(
            source: "warehouse", dataset: "transactions", uri: "https://data.example.com/transactions-2026-11.csv",
            version: "2026-11-20T00:00:00Z",
            sha256: Digest(hex: "9f2c6a0b1d3e4f5061728394a5b6c7d8e9f00112233445566778899aabbccdde"), size: 1_048_576)
        #expect(delivery.source == "data:warehouse")
        #expect(delivery.deliveryKey == nil)
        #expect(Self.triggers(delivery).map(\.trigger) == [.dataArrival(expected)])
        #expect(
            Self.triggers(delivery).map(\.dedupeKey) == [
                "data:transactions:https://data.example.com/transactions-2026-11.csv@2026-11-20T00:00:00Z"
            ])
    }

    @Test("An S3 key is URL-decoded and a versioned object is identified by its versionId")
    func s3EncodedKeyWithVersion() throws {
        let delivery = try DataHook.parse(
            kind: .s3, source: "lake", body: try Self.body("s3/object-created-encoded-key.json"), datasets: Self.lake)
        let uri = "s3://ml-lake/transactions/2026/11/nov data+extra.csv"
        let version = "3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY"
        #expect(delivery.event == "ObjectCreated:Put")
        // Two datasets match: one trigger each.
        #expect(
            Self.triggers(delivery).map(\.trigger) == [
                .dataArrival(
                    DataArrival(
                        source: "lake", dataset: "transactions", uri: uri, version: version, sha256: nil, size: 2048)),
                .dataArrival(
                    DataArrival(source: "lake", dataset: "all-s3", uri: uri, version: version, sha256: nil, size: 2048)),
            ])
        #expect(
            Self.triggers(delivery).map(\.dedupeKey) == [
                "data:transactions:\(uri)@\(version)", "data:all-s3:\(uri)@\(version)",
            ])
    }

    @Test("An unversioned MinIO object is identified by etag and sequencer")
    func minioUnversioned() throws {
        let delivery = try DataHook.parse(
            kind: .s3, source: "lake", body: try Self.body("s3/minio-object-created-unversioned.json"),
            datasets: [Self.lake[0]])
        let expected = DataArrival(
            source: "lake", dataset: "transactions", uri: "s3://ml-lake/transactions/dec.csv",
            version: "d41d8cd98f00b204e9800998ecf8427e-2:17A9F3C4B2E1D0A8", sha256: nil, size: 4096)
        #expect(delivery.event == "s3:ObjectCreated:Put")
        #expect(Self.triggers(delivery).map(\.trigger) == [.dataArrival(expected)])
    }

    @Test("A GCS Pub/Sub push of OBJECT_FINALIZE is identified by its generation")
    func gcsPubSub() throws {
        let delivery = try DataHook.parse(
            kind: .gcs, source: "gcs", body: try Self.body("gcs/pubsub-object-finalize.json"), datasets: Self.lake)
        let expected = DataArrival(
            source: "gcs", dataset: "features", uri: "gs://ml-lake-gcs/features/2026-11.parquet",
            version: "1732096800123456", sha256: nil, size: 52_428_800)
        #expect(delivery.event == "OBJECT_FINALIZE")
        #expect(Self.triggers(delivery).map(\.trigger) == [.dataArrival(expected)])
        #expect(
            Self.triggers(delivery).map(\.dedupeKey) == [
                "data:features:gs://ml-lake-gcs/features/2026-11.parquet@1732096800123456"
            ])
    }

    @Test("Only the firing sluice_model alert of a group becomes a trigger")
    func alertmanagerGroup() throws {
        let body = try Self.body("alertmanager/model-firing-and-resolved.json")
        let delivery = try AlertmanagerHook.parse(body: body, projectOwningModel: { $0 == "churn" ? "churn-repo" : nil })
        let expected = Alert(
            project: "churn-repo", model: "churn", environment: "production", name: "ModelAUCDrop",
            fingerprint: "5b8c1f0e2a3d4c6e", startsAt: "2026-11-20T09:55:00.000Z")
        #expect(delivery.source == "alertmanager")
        #expect(delivery.event == "alert")
        #expect(delivery.deliveryKey == nil)
        #expect(Self.triggers(delivery).map(\.trigger) == [.alert(expected)])
        #expect(
            Self.triggers(delivery).map(\.dedupeKey) == [
                "alert:{}/{sluice_model=~\".+\"}:{alertname=\"ModelAUCDrop\"}:5b8c1f0e2a3d4c6e:2026-11-20T09:55:00.000Z"
            ])
    }

    @Test("A firing alert for a model no project owns is ignored, naming the model")
    func alertForUnownedModel() throws {
        let body = try Self.body("alertmanager/model-firing-and-resolved.json")
        let delivery = try AlertmanagerHook.parse(body: body, projectOwningModel: { _ in nil })
        #expect(delivery.verdict == .ignored(reason: "model churn owned by no project"))
    }
}
