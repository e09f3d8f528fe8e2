import Foundation
import Testing

@testable import SluiceCore

/// The captured payloads in `../shared/fixtures/webhooks/` (provenance in SOURCES.md there), read
/// in place and never copied: each must give exactly the trigger, or the ignored reason, below.
@Suite(.enabled(if: SharedWebhookFixtures.available))
struct IngressConformanceTests {
    /// Event headers per file, as listed in SOURCES.md; nil for senders without one.
    struct Case: Sendable, CustomTestStringConvertible {
        let file: String
        let event: String?
        let expected: Expected
        var testDescription: String { file }
    }

    enum Expected: Sendable {
        case trigger(Trigger)
        case ignored(containing: String)
    }

    static let project = "churn"
    static let zero = Push.zeroCommit

    static func push(
        _ ref: String, _ kind: Push.RefKind, _ before: String, _ after: String, created: Bool = false,
        deleted: Bool = false, forced: Bool = false, pusher: String?, headAuthor: String? = nil
    ) -> Expected {
        .trigger(
            .push(
                Push(
                    project: project, ref: ref, refKind: kind, before: before, after: after, created: created,
                    deleted: deleted, forced: forced, pusher: pusher, headAuthor: headAuthor)))
    }

    static func pull(
        _ number: Int, _ action: PullRequest.Action, head: String, _ headRef: String, _ baseRef: String,
        previous: String? = nil, merge: String? = nil, fork: Bool = false, author: String?
    ) -> Expected {
        .trigger(
            .pullRequest(
                PullRequest(
                    project: project, number: number, action: action, headSHA: head, headRef: headRef,
                    baseRef: baseRef, previousHeadSHA: previous, mergeCommitSHA: merge, isFork: fork,
                    author: author)))
    }

    static func data(_ uri: String, version: String, size: Int?) -> Expected {
        .trigger(
            .dataArrival(
                DataArrival(source: "lake", dataset: "everything", uri: uri, version: version, sha256: nil, size: size)))
    }

    static let cases: [Case] = [
        // GitHub
        Case(
            file: "github/push.json", event: "push",
            expected: push(
                "refs/heads/master", .branch, "0ef7edf5c4b863153df93bd837033d885f6339b8",
                "1496a1f82f32f240f7cbe1a42eb0b0c7a06a5093", pusher: "toolmantim", headAuthor: "toolmantim")),
        Case(
            file: "github/push-forced.json", event: "push",
            expected: push(
                "refs/heads/temp", .branch, "b6de8891fc10adb01e608ea01db326e99278fc70",
                "971d76ca309446a9c20381f6271cea8a59b4e40a", forced: true, pusher: "sbansal1999", headAuthor: "sbansal1999")),
        Case(
            file: "github/push-branch-created.json", event: "push",
            expected: push(
                "refs/heads/feature-branch", .branch, zero, "d2b75aa7797ec26b088fa2dd527e9d2c052fcedd", created: true,
                pusher: "bradrydzewski", headAuthor: "bradrydzewski")),
        Case(
            file: "github/push-branch-deleted.json", event: "push",
            expected: push(
                "refs/heads/feature-branch", .branch, "d2b75aa7797ec26b088fa2dd527e9d2c052fcedd", zero, deleted: true,
                pusher: "bradrydzewski")),
        Case(
            file: "github/push-tag.json", event: "push",
            expected: push(
                "refs/tags/v0.0.1", .tag, zero, "d2b75aa7797ec26b088fa2dd527e9d2c052fcedd", created: true,
                pusher: "bradrydzewski", headAuthor: "bradrydzewski")),
        Case(
            file: "github/push-tag-deleted.json", event: "push",
            expected: push(
                "refs/tags/simple-tag", .tag, "6113728f27ae82c7b1a177c8d03f9e96e0adf246", zero, deleted: true,
                pusher: "Codertocat")),
        Case(
            file: "github/pull_request-opened.json", event: "pull_request",
            expected: pull(
                2, .opened, head: "ec26c3e57ca3a959ca5aad62de7213c562f8c821", "changes", "master",
                author: "Codertocat")),
        Case(
            file: "github/pull_request-opened-fork.json", event: "pull_request",
            expected: pull(
                31, .opened, head: "6f0d678512460e8a1e797d31928b97b5e6244088", "patch-1", "main", fork: true,
                author: "zzj-bot")),
        Case(
            file: "github/pull_request-synchronize.json", event: "pull_request",
            expected: pull(
                2, .synchronized, head: "ec26c3e57ca3a959ca5aad62de7213c562f8c821", "changes", "master",
                previous: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e", author: "Codertocat")),
        Case(
            file: "github/pull_request-closed-merged.json", event: "pull_request",
            expected: pull(
                117, .merged, head: "59a63ccd828afb5fc4739ad8d3176d5c36eaebf6", "revert-111-robvanderleek-patch-1",
                "master", merge: "5a47c3f3c22f54f37a3297f2f1c98d860fba4489", author: "robvanderleek")),
        Case(
            file: "github/pull_request-closed-unmerged.json", event: "pull_request",
            expected: pull(
                2, .closed, head: "ec26c3e57ca3a959ca5aad62de7213c562f8c821", "changes", "master",
                author: "Codertocat")),
        Case(
            file: "github/issue_comment-created.json", event: "issue_comment",
            expected: .ignored(containing: "comment has no /sluice command; understood: /sluice run")),
        Case(file: "github/ping.json", event: "ping", expected: .ignored(containing: "ping")),
        // GitLab
        Case(
            file: "gitlab/push.json", event: "Push Hook",
            expected: push(
                "refs/heads/master", .branch, "95790bf891e76fee5e1747ab589903a6a1f80f22",
                "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", pusher: "jsmith")),
        Case(
            file: "gitlab/tag_push.json", event: "Tag Push Hook",
            expected: push(
                "refs/tags/v1.0.0", .tag, zero, "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7", created: true, pusher: nil)),
        Case(
            file: "gitlab/push-branch-deleted.json", event: "Push Hook",
            expected: push(
                "refs/heads/feature", .branch, "c4c79227ed610f1151f05bbc5be33b4f340d39c8", zero, deleted: true,
                pusher: "sytses")),
        Case(
            file: "gitlab/merge_request-open.json", event: "Merge Request Hook",
            expected: pull(
                1, .opened, head: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", "ms-viewport", "master",
                author: "root")),
        Case(
            file: "gitlab/merge_request-merge.json", event: "Merge Request Hook",
            expected: pull(
                1, .merged, head: "c4c79227ed610f1151f05bbc5be33b4f340d39c8", "feature", "master",
                merge: "78a76ee6b4992a6baf64c59fc4c44c7323d60438", author: "sytses")),
        Case(
            file: "gitlab/merge_request-update-new-commits.json", event: "Merge Request Hook",
            expected: pull(
                3, .synchronized, head: "5ff66a1f7404deee915b50998c340e96d995f048", "get-event-payload", "master",
                previous: "1ca7e340460796fe3eb17e2ea1b383ac4a1c95b7", author: "quan.hoang")),
        Case(
            file: "gitlab/note-merge_request.json", event: "Note Hook",
            expected: .ignored(containing: "comment has no /sluice command")),
        // Alertmanager
        Case(
            file: "alertmanager/firing.json", event: nil,
            expected: .ignored(containing: "no firing alert has a sluice_model label")),
        Case(
            file: "alertmanager/resolved.json", event: nil,
            expected: .ignored(containing: "no firing alert: all 1 resolved")),
        // Storage
        Case(
            file: "s3/object-created.json", event: nil,
            expected: data("s3://mybucket/HappyFace.jpg", version: "096fKKXTRTtl3on89fVO.nfljtsv6qko", size: 1024)),
        Case(file: "s3/test-event.json", event: nil, expected: .ignored(containing: "s3:TestEvent")),
        Case(
            file: "s3/eventbridge-object-created.json", event: nil,
            expected: data(
                "s3://DOC-EXAMPLE-BUCKET1/example-key", version: "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e", size: 5)),
        Case(
            file: "gcs/object-finalize-cloudevent.json", event: nil,
            expected: data("gs://some-bucket/folder/Test.cs", version: "1587627537231057", size: 352)),
    ]

    @Test("Every captured payload in the shared folder has an expectation here")
    func everyFixtureIsCovered() throws {
        let files = try SharedWebhookFixtures.jsonFiles()
        #expect(Set(files) == Set(Self.cases.map(\.file)))
    }

    @Test("Each captured payload gives the expected trigger or ignored reason", arguments: cases)
    func payloadConforms(_ testCase: Case) throws {
        let body = try Data(contentsOf: SharedWebhookFixtures.folder.appending(path: testCase.file))
        let delivery = try Self.parse(testCase, body: body)
        switch testCase.expected {
        case .ignored(let reason):
            guard case .ignored(let actual) = delivery.verdict else {
                Issue.record("expected ignored (\(reason)), got \(delivery.verdict)")
                return
            }
            #expect(actual.contains(reason), "\(actual)")
        case .trigger(let trigger):
            guard case .accepted(let triggers) = delivery.verdict else {
                Issue.record("expected \(trigger), got \(delivery.verdict)")
                return
            }
            #expect(triggers.map(\.trigger) == [trigger])
            if let key = delivery.deliveryKey {
                #expect(triggers.map(\.dedupeKey) == [key])
            }
            if case .dataArrival(let arrival) = trigger {
                #expect(triggers.first?.dedupeKey == "data:everything:\(arrival.uri)@\(arrival.version)")
            }
        }
    }

    static func parse(_ testCase: Case, body: Data) throws -> IncomingDelivery {
        let folder = testCase.file.split(separator: "/").first.map(String.init) ?? ""
        let everything = [DataHook.Dataset(name: "everything", matches: { _ in true })]
        switch folder {
        case "github":
            return try GitHubHook.parse(
                event: testCase.event, deliveryID: "72d3162e-cc78-11e3-81ab-4c9367dc0958", body: body,
                project: project, watchesBranch: { _ in true })
        case "gitlab":
            return try GitLabHook.parse(
                event: testCase.event, idempotencyKey: "f7c2b1d4-3e8a-4b7f-9c1d-2a6e5f8b0c3d", eventUUID: nil,
                body: body, project: project, watchesBranch: { _ in true })
        case "alertmanager":
            return try AlertmanagerHook.parse(body: body, projectOwningModel: { _ in project })
        case "s3":
            return try DataHook.parse(kind: .s3, source: "lake", body: body, datasets: everything)
        case "gcs":
            return try DataHook.parse(kind: .gcs, source: "lake", body: body, datasets: everything)
        default:
            throw HookError(.malformed, "no parser for \(testCase.file)")
        }
    }
}

/// Where the shared captured payloads live: `<package>/../shared/fixtures/webhooks`.
enum SharedWebhookFixtures {
    static let folder: URL = URL(filePath: #filePath)
        .deletingLastPathComponent()  // SluiceCoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package
        .deletingLastPathComponent()
        .appending(path: "shared/fixtures/webhooks")

    static let available: Bool = {
        let exists = FileManager.default.fileExists(atPath: folder.path(percentEncoded: false))
        if !exists { print("skipping: ../shared/fixtures/webhooks not found") }
        return exists
    }()

    /// The `.json` files under the folder, as `forge/name.json`.
    static func jsonFiles() throws -> [String] {
        var files: [String] = []
        let root = folder.path(percentEncoded: false)
        for sub in try FileManager.default.contentsOfDirectory(atPath: root) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + sub, isDirectory: &isDirectory),
                isDirectory.boolValue
            else { continue }
            for name in try FileManager.default.contentsOfDirectory(atPath: root + "/" + sub)
            where name.hasSuffix(".json") {
                files.append("\(sub)/\(name)")
            }
        }
        return files.sorted()
    }
}
