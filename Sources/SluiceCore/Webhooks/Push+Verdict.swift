import Foundation

/// A forge's push payload: the GitHub and GitLab parsers differ only in how they read its fields.
protocol PushPayload: Decodable {
    var ref: String { get }
    /// The push this payload describes, once its ref is known to be a branch or a tag.
    func push(project: String, refKind: Push.RefKind) -> Push
}

extension Push {
    /// What a forge's push means: accepted as one trigger keyed `key`, or ignored when the ref is
    /// neither a branch nor a tag, or is a branch the project does not watch.
    static func verdict<Payload: PushPayload>(
        _ body: Data, as payloadType: Payload.Type, project: String, key: String, watchesBranch: (String) -> Bool
    ) throws(HookError) -> IncomingDelivery.Verdict {
        let payload = try HookJSON.decode(payloadType, from: body)
        let refKind: RefKind
        if payload.ref.hasPrefix("refs/heads/") {
            refKind = .branch
        } else if payload.ref.hasPrefix("refs/tags/") {
            refKind = .tag
        } else {
            return .ignored(reason: "push to \(payload.ref), which is neither a branch nor a tag")
        }
        let push = payload.push(project: project, refKind: refKind)
        if refKind == .branch, !watchesBranch(push.name) {
            return .ignored(reason: "push to branch \(push.name), which project \(project) does not watch")
        }
        return .accepted([KeyedTrigger(.push(push), dedupeKey: key)])
    }
}
