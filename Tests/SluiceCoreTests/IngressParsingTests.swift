import Foundation
import Testing

@testable import SluiceCore

/// Errors, headers, branch filters, comment commands and the less common event shapes.
struct IngressParsingTests {
    static func gitHub(_ event: String?, _ json: String, watches: @escaping (String) -> Bool = { _ in true })
        throws(HookError) -> IncomingDelivery
    {
        try GitHubHook.parse(
            event: event, deliveryID: "guid-1", body: Data(json.utf8), project: "churn", watchesBranch: watches)
    }

    static func gitLab(_ event: String?, _ json: String) throws(HookError) -> IncomingDelivery {
        try GitLabHook.parse(
            event: event, idempotencyKey: nil, eventUUID: nil, body: Data(json.utf8), project: "churn",
            watchesBranch: { $0 == "main" })
    }

    static func reason(_ delivery: IncomingDelivery) -> String? {
        if case .ignored(let reason) = delivery.verdict { return reason }
        return nil
    }

    static func onlyTrigger(_ delivery: IncomingDelivery) -> Trigger? {
        if case .accepted(let triggers) = delivery.verdict, triggers.count == 1 { return triggers[0].trigger }
        return nil
    }

    static let pushJSON = """
        {"ref":"refs/heads/feature","before":"\(String(repeating: "a", count: 40))","after":"\(String(repeating: "b", count: 40))",
         "created":false,"deleted":false,"forced":false,"pusher":{"name":"dev"}}
        """

    static func pullRequestJSON(action: String = "opened", headSHA: String = "\"abc\"", number: String = "5") -> String {
        """
        {"action":"\(action)","number":\(number),"pull_request":{"head":{"sha":\(headSHA),"ref":"topic","repo":null},
         "base":{"ref":"main","repo":{"full_name":"acme/churn"}},"merged":false,"user":{"login":"dev"}}}
        """
    }

    static func commentJSON(_ body: String, action: String = "created", onPullRequest: Bool = true) -> String {
        let marker = onPullRequest ? #","pull_request":{"url":"u"}"# : ""
        let encoded = String(decoding: try! JSONEncoder().encode(body), as: UTF8.self)
        return """
            {"action":"\(action)","issue":{"number":9\(marker)},
             "comment":{"body":\(encoded),"user":{"login":"bob"},"author_association":"OWNER"}}
            """
    }

    // MARK: headers and errors

    @Test("Missing GitHub event or delivery headers are bad headers naming them")
    func gitHubHeaders() {
        var error = #expect(throws: HookError.self) { try Self.gitHub(nil, Self.pushJSON) }
        #expect(error?.code == .badHeader)
        #expect(error?.detail == "X-GitHub-Event")
        error = #expect(throws: HookError.self) {
            try GitHubHook.parse(
                event: "push", deliveryID: nil, body: Data(Self.pushJSON.utf8), project: "churn",
                watchesBranch: { _ in true })
        }
        #expect(error?.code == .badHeader)
        #expect(error?.detail == "X-GitHub-Delivery")
        error = #expect(throws: HookError.self) { try Self.gitLab(nil, Self.pushJSON) }
        #expect(error?.code == .badHeader)
        #expect(error?.detail == "X-Gitlab-Event")
    }

    @Test("A body that is not JSON is malformed for every parser", arguments: ["{\"ref\": ", "not json", "[1, 2]", ""])
    func malformed(_ text: String) {
        let body = Data(text.utf8)
        let errors: [HookError?] = [
            #expect(throws: HookError.self) { try Self.gitHub("push", text) },
            #expect(throws: HookError.self) { try Self.gitLab("Merge Request Hook", text) },
            #expect(throws: HookError.self) {
                try DataHook.parse(kind: .s3, source: "lake", body: body, datasets: [])
            },
            #expect(throws: HookError.self) { try AlertmanagerHook.parse(body: body, projectOwningModel: { $0 }) },
        ]
        for error in errors {
            #expect(error?.code == .malformed)
        }
    }

    @Test("A missing head sha is a missing field with its JSON path")
    func missingNestedField() {
        let json = Self.pullRequestJSON().replacingOccurrences(of: #""sha":"abc","#, with: "")
        let error = #expect(throws: HookError.self) { try Self.gitHub("pull_request", json) }
        #expect(error?.code == .missingField)
        #expect(error?.detail == "pull_request.head.sha")
        #expect(error?.message.contains("pull_request.head.sha") == true)
    }

    @Test("A mistyped or null field is a missing field with its JSON path")
    func mistypedField() {
        var error = #expect(throws: HookError.self) { try Self.gitHub("pull_request", Self.pullRequestJSON(number: "\"5\"")) }
        #expect(error?.code == .missingField)
        #expect(error?.detail == "number")
        error = #expect(throws: HookError.self) {
            try Self.gitHub("pull_request", Self.pullRequestJSON(headSHA: "null"))
        }
        #expect(error?.detail == "pull_request.head.sha")
    }

    @Test("A missing S3 object key names its record index")
    func missingFieldInArray() {
        let json = #"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"size":1}}}]}"#
        let error = #expect(throws: HookError.self) {
            try DataHook.parse(kind: .s3, source: "lake", body: Data(json.utf8), datasets: [])
        }
        #expect(error?.code == .missingField)
        #expect(error?.detail == "Records[0].s3.object.key")
    }

    // MARK: pushes

    @Test("A push to a branch the project does not watch is ignored, naming the branch")
    func unwatchedBranch() throws {
        let delivery = try Self.gitHub("push", Self.pushJSON, watches: { $0 == "main" })
        #expect(Self.reason(delivery)?.contains("feature") == true)
        #expect(delivery.deliveryKey == "github:guid-1")
        #expect(delivery.source == "github")
    }

    @Test("A tag push is accepted whatever branches are watched")
    func tagsAlwaysAccepted() throws {
        let json = Self.pushJSON.replacingOccurrences(of: "refs/heads/feature", with: "refs/tags/v2")
        let delivery = try Self.gitHub("push", json, watches: { _ in false })
        guard case .push(let push) = Self.onlyTrigger(delivery) else {
            Issue.record("expected a push, got \(delivery.verdict)")
            return
        }
        #expect(push.refKind == .tag)
        #expect(push.name == "v2")
    }

    @Test("A GitLab branch push marks creation from the zero before and filters on the branch")
    func gitLabPush() throws {
        let json = """
            {"ref":"refs/heads/main","before":"\(Push.zeroCommit)","after":"\(String(repeating: "c", count: 40))","user_username":"dev"}
            """
        let delivery = try Self.gitLab("Push Hook", json)
        guard case .push(let push) = Self.onlyTrigger(delivery) else {
            Issue.record("expected a push, got \(delivery.verdict)")
            return
        }
        #expect(push.created && !push.deleted && !push.forced)
        let other = try Self.gitLab("Push Hook", json.replacingOccurrences(of: "refs/heads/main", with: "refs/heads/wip"))
        #expect(Self.reason(other)?.contains("wip") == true)
    }

    @Test("GitLab's delivery key prefers Idempotency-Key, then the event UUID")
    func gitLabDeliveryKey() throws {
        let json = #"{"ref":"refs/tags/v1","before":"a","after":"b"}"#
        let both = try GitLabHook.parse(
            event: "Tag Push Hook", idempotencyKey: "idem", eventUUID: "uuid", body: Data(json.utf8), project: "churn",
            watchesBranch: { _ in true })
        #expect(both.deliveryKey == "gitlab:idem")
        let uuid = try GitLabHook.parse(
            event: "Tag Push Hook", idempotencyKey: "", eventUUID: "uuid", body: Data(json.utf8), project: "churn",
            watchesBranch: { _ in true })
        #expect(uuid.deliveryKey == "gitlab:uuid")
    }

    // MARK: pull and merge requests

    @Test("A pull request with a deleted head repository is a fork")
    func deletedForkIsFork() throws {
        let delivery = try Self.gitHub("pull_request", Self.pullRequestJSON())
        guard case .pullRequest(let pr) = Self.onlyTrigger(delivery) else {
            Issue.record("expected a pull request, got \(delivery.verdict)")
            return
        }
        #expect(pr.isFork)
    }

    @Test("Pull request actions that do not change code are ignored, naming the action")
    func ignoredPullRequestAction() throws {
        let delivery = try Self.gitHub("pull_request", Self.pullRequestJSON(action: "labeled"))
        #expect(Self.reason(delivery)?.contains("labeled") == true)
    }

    @Test("Other GitHub events are ignored, naming the event; a ping is ignored as ping")
    func otherEvents() throws {
        #expect(Self.reason(try Self.gitHub("star", "{}")) == "event star is not used by Sluice")
        #expect(Self.reason(try Self.gitHub("ping", #"{"zen":"z"}"#)) == "ping")
        #expect(Self.reason(try Self.gitLab("Pipeline Hook", "{}"))?.contains("Pipeline Hook") == true)
    }

    @Test("A GitLab merge request update without oldrev, or an approval, is ignored")
    func gitLabIgnoredUpdates() throws {
        let json = """
            {"user":{"username":"dev"},"object_attributes":{"iid":4,"action":"update","source_branch":"t","target_branch":"main",
             "source_project_id":1,"target_project_id":1,"last_commit":{"id":"abc"}}}
            """
        #expect(Self.reason(try Self.gitLab("Merge Request Hook", json))?.contains("oldrev") == true)
        let approved = json.replacingOccurrences(of: #""action":"update""#, with: #""action":"approved""#)
        #expect(Self.reason(try Self.gitLab("Merge Request Hook", approved))?.contains("approved") == true)
        let closed = json.replacingOccurrences(of: #""action":"update""#, with: #""action":"close""#)
        guard case .pullRequest(let pr) = Self.onlyTrigger(try Self.gitLab("Merge Request Hook", closed)) else {
            Issue.record("expected a closed merge request")
            return
        }
        #expect(pr.action == .closed)
        #expect(pr.number == 4)
    }

    // MARK: comment commands

    @Test(
        "Comment commands are read from the first /sluice line",
        arguments: [
            ("/sluice run", CommentCommand.Verb.run, nil),
            ("Please\n  /sluice retrain\n", .retrain, nil),
            ("/sluice approve production", .approve, "production"),
            ("LGTM\r\n/sluice reject staging", .reject, "staging"),
            ("/sluice APPROVE Production", .approve, "Production"),
        ] as [(String, CommentCommand.Verb, String?)])
    func commands(_ body: String, _ verb: CommentCommand.Verb, _ environment: String?) throws {
        let delivery = try Self.gitHub("issue_comment", Self.commentJSON(body))
        let expected = CommentCommand(
            project: "churn", number: 9, verb: verb, environment: environment, commenter: "bob",
            authorAssociation: "OWNER")
        #expect(Self.onlyTrigger(delivery) == .command(expected))
    }

    @Test(
        "Incomplete, unknown or quoted commands are ignored with what is understood",
        arguments: [
            ("/sluice approve", "needs exactly one environment"),
            ("/sluice deploy production", "unknown command /sluice deploy"),
            ("/sluice", "needs a command"),
            ("/sluice run now", "takes no argument"),
            ("> /sluice approve production", "no /sluice command"),
            ("please /sluice run", "no /sluice command"),
            ("/sluicerun", "no /sluice command"),
        ])
    func notCommands(_ body: String, _ reason: String) throws {
        let ignored = Self.reason(try Self.gitHub("issue_comment", Self.commentJSON(body)))
        #expect(ignored?.contains(reason) == true, "\(ignored ?? "accepted")")
        #expect(ignored?.contains("/sluice approve ENV") == true)
    }

    @Test("A comment on a plain issue, or an edited comment, is ignored")
    func commentsThatAreNotCommands() throws {
        let issue = try Self.gitHub("issue_comment", Self.commentJSON("/sluice run", onPullRequest: false))
        #expect(Self.reason(issue)?.contains("not a pull request") == true)
        let edited = try Self.gitHub("issue_comment", Self.commentJSON("/sluice run", action: "edited"))
        #expect(Self.reason(edited)?.contains("edited") == true)
    }

    @Test("A GitLab note on a merge request gives a command with the MR's IID and no association")
    func gitLabNoteCommand() throws {
        let json = """
            {"user":{"username":"carol"},"object_attributes":{"note":"/sluice reject staging","noteable_type":"MergeRequest",
             "action":"create"},"merge_request":{"iid":17}}
            """
        let expected = CommentCommand(
            project: "churn", number: 17, verb: .reject, environment: "staging", commenter: "carol",
            authorAssociation: nil)
        #expect(Self.onlyTrigger(try Self.gitLab("Note Hook", json)) == .command(expected))
        let onCommit = json.replacingOccurrences(of: #""MergeRequest""#, with: #""Commit""#)
        #expect(Self.reason(try Self.gitLab("Note Hook", onCommit))?.contains("Commit") == true)
    }

    // MARK: data

    @Test("A Sluice data event naming an unknown dataset is refused, listing the known ones")
    func unknownDataset() {
        let json = #"{"dataset":"clicks","uri":"s3://b/k","version":"1"}"#
        let datasets = [
            DataHook.Dataset(name: "transactions", matches: { _ in true }),
            DataHook.Dataset(name: "features", matches: { _ in true }),
        ]
        let error = #expect(throws: HookError.self) {
            try DataHook.parse(kind: .sluice, source: "lake", body: Data(json.utf8), datasets: datasets)
        }
        #expect(error?.code == .missingField)
        #expect(error?.detail == "dataset")
        #expect(error?.message.contains("clicks") == true)
        #expect(error?.message.contains("features, transactions") == true)
    }

    @Test("A Sluice data event with a bad sha256 is refused, naming the field")
    func badDigest() {
        let json = #"{"uri":"s3://b/k","version":"1","sha256":"abc"}"#
        let error = #expect(throws: HookError.self) {
            try DataHook.parse(kind: .sluice, source: "lake", body: Data(json.utf8), datasets: [])
        }
        #expect(error?.detail == "sha256")
    }

    @Test("An object no dataset matches is ignored, naming its URI")
    func noDatasetMatches() throws {
        let json = #"{"uri":"https://data.example.com/other.csv","version":"7"}"#
        let delivery = try DataHook.parse(
            kind: .sluice, source: "lake", body: Data(json.utf8),
            datasets: [DataHook.Dataset(name: "transactions", matches: { $0.contains("transactions") })])
        #expect(Self.reason(delivery) == "no dataset matches https://data.example.com/other.csv")
    }

    @Test("Removed S3 objects and deleted GCS objects are not new data")
    func notNewData() throws {
        let s3 = #"{"Records":[{"eventVersion":"2.1","eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"k","sequencer":"1"}}}]}"#
        let all = [DataHook.Dataset(name: "all", matches: { _ in true })]
        let removed = try DataHook.parse(kind: .s3, source: "lake", body: Data(s3.utf8), datasets: all)
        #expect(Self.reason(removed)?.contains("ObjectRemoved:Delete") == true)
        let gcs = #"{"message":{"attributes":{"eventType":"OBJECT_DELETE","bucketId":"b","objectId":"o","objectGeneration":"1"},"messageId":"1"},"subscription":"s"}"#
        let deleted = try DataHook.parse(kind: .gcs, source: "lake", body: Data(gcs.utf8), datasets: all)
        #expect(Self.reason(deleted)?.contains("OBJECT_DELETE") == true)
        let eventBridge = #"{"detail-type":"Object Deleted","detail":{"bucket":{"name":"b"},"object":{"key":"k"}}}"#
        let bridged = try DataHook.parse(kind: .s3, source: "lake", body: Data(eventBridge.utf8), datasets: all)
        #expect(Self.reason(bridged)?.contains("Object Deleted") == true)
    }

    // MARK: alerts

    @Test("An alert without a fingerprint is keyed by a hash of its labels, whatever their order")
    func alertWithoutFingerprint() throws {
        func body(_ labels: String) -> Data {
            Data(
                #"{"groupKey":"g","status":"firing","alerts":[{"status":"firing","labels":\#(labels),"startsAt":"t0"}]}"#
                    .utf8)
        }
        let first = try AlertmanagerHook.parse(
            body: body(#"{"sluice_model":"churn","alertname":"Drift","env":"x"}"#), projectOwningModel: { $0 })
        let second = try AlertmanagerHook.parse(
            body: body(#"{"env":"x","alertname":"Drift","sluice_model":"churn"}"#), projectOwningModel: { $0 })
        guard case .accepted(let a) = first.verdict, case .accepted(let b) = second.verdict else {
            Issue.record("expected both accepted")
            return
        }
        #expect(a.map(\.dedupeKey) == b.map(\.dedupeKey))
        #expect(a.first?.dedupeKey.hasPrefix("alert:g:") == true)
        #expect(a.first?.dedupeKey.hasSuffix(":t0") == true)
        let other = try AlertmanagerHook.parse(
            body: body(#"{"sluice_model":"churn","alertname":"Drift","env":"y"}"#), projectOwningModel: { $0 })
        guard case .accepted(let c) = other.verdict else { return }
        #expect(c.map(\.dedupeKey) != a.map(\.dedupeKey))
    }

    @Test("An alert without a startsAt is a missing field naming its index")
    func alertMissingStart() {
        let json = #"{"groupKey":"g","alerts":[{"status":"firing","labels":{}}]}"#
        let error = #expect(throws: HookError.self) {
            try AlertmanagerHook.parse(body: Data(json.utf8), projectOwningModel: { $0 })
        }
        #expect(error?.detail == "alerts[0].startsAt")
    }
}

extension IngressParsingTests {
    @Test("Every configured data source kind has a notification format")
    func dataSourceKinds() {
        for kind in DataSourceKind.allCases {
            #expect(DataHook.Kind(kind).rawValue == kind.rawValue)
        }
    }
}
