import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import Mustache
import SluiceCore

/// The web UI: server-rendered pages from `templates/ui/` (runs, a run with its steps, logs and
/// gate table, models with lineage and environment history, pending approvals, the audit log).
///
/// With `auth` configured, every page needs a sign-in (``Access/page(_:)``): an API token from
/// `auth.tokens_env` exchanged for a session cookie (HttpOnly, SameSite=Strict, Secure behind
/// https), and every form carries the session's CSRF token. Viewers and engineers see; release
/// managers and admins also approve and reject, as the forge login their token names. Without
/// `auth`, the pages are open and nobody decides here.
struct WebUI: Sendable {
    /// How long a sign-in lasts.
    private static let sessionLifetime = Duration.seconds(12 * 3600)

    private let library: MustacheLibrary
    /// `templates/ui/static` under `/ui/static/`, with ETag, Last-Modified, ranges and a short cache.
    let staticFiles: FileMiddleware<SluiceRequestContext, LocalFileSystem>
    private let auth: AuthConfig?
    private let store: Store
    private let promoter: Promoter
    private let stateDirectory: URL
    /// Where each project's pull requests are on its forge, for the run page's link.
    private let projects: [ProjectConfig]
    /// The signed-in browsers, in memory: a restart signs everyone out, which is the safe failure.
    /// A service of the application, which drops expired sessions every ten minutes.
    let sessionStore: MemoryPersistDriver<SessionClock>
    /// Loads each request's session from its cookie (HttpOnly, SameSite=Strict, Secure behind
    /// https) before ``CallerAuthenticator`` looks at it, and saves or deletes it after the route.
    let sessions: SessionMiddleware<SluiceRequestContext>

    /// Loads the templates in `templates` (the `templates/ui` folder); throws when one does not parse.
    static func load(
        templates: URL, config: ServerConfig, store: Store, promoter: Promoter, clock: any WallClock, logger: Logger
    ) async throws -> WebUI {
        let sessionStore = MemoryPersistDriver(SessionClock(clock: clock))
        let cookie = SessionCookieParameters(
            name: "sluice_session", path: "/", secure: config.publicURL?.scheme == "https", sameSite: .strict)
        return WebUI(
            sessionStore: sessionStore,
            sessions: SessionMiddleware(
                storage: sessionStore,
                configuration: .init(sessionCookieParameters: cookie, defaultSessionExpiration: sessionLifetime)),
            library: try await MustacheLibrary(directory: templates.path), staticFiles: FileMiddleware(
                templates.appending(path: "static").path, urlBasePath: "/ui/static",
                cacheControl: CacheControl([(.textCss, [.maxAge(300)]), (.textJavascript, [.maxAge(300)])]), logger: logger),
            auth: config.auth, store: store, promoter: promoter, stateDirectory: config.stateDirectory,
            projects: config.projects)
    }

    private init(
        sessionStore: MemoryPersistDriver<SessionClock>, sessions: SessionMiddleware<SluiceRequestContext>,
        library: MustacheLibrary, staticFiles: FileMiddleware<SluiceRequestContext, LocalFileSystem>, auth: AuthConfig?,
        store: Store, promoter: Promoter, stateDirectory: URL, projects: [ProjectConfig]
    ) {
        self.sessionStore = sessionStore
        self.sessions = sessions
        self.store = store
        self.library = library
        self.staticFiles = staticFiles
        self.auth = auth
        self.promoter = promoter
        self.stateDirectory = stateDirectory
        self.projects = projects
    }


    /// Adds the sign-in page to `open`, the pages to `pages` (viewers) and the
    /// decisions to `decisions` (release managers).
    func add(
        open: RouterGroup<SluiceRequestContext>, pages router: RouterGroup<SluiceRequestContext>,
        decisions: RouterGroup<SluiceRequestContext>
    ) {
        open.get("sign-in") { request, _ in await self.page("sign-in", title: "Sign in", request) }
        open.post("sign-in") { request, context in try await self.signIn(request, context) }
        open.post("sign-out") { request, context in try await self.signOut(request, context) }
        decisions.post("approvals/:id/:decision") { request, context in
            try await self.decide(request, context, id: context.parameters.get("id"), decision: context.parameters.get("decision"))
        }
        router.get("/") { _, _ in Self.redirect("/runs") }
        router.get("runs") { request, context in
            try await self.signedIn(request, context) { session in
                let runs = try await store.runs(limit: 100)
                let kinds = try await store.triggerKinds(runs.compactMap(\.triggerID))
                return await page(
                    "runs", title: "Runs", request, session: session,
                    ["runs": runs.map { UIContext.runRow($0, trigger: $0.triggerID.flatMap { kinds[$0] }) }, "hasRuns": !runs.isEmpty])
            }
        }
        router.get("runs/:id") { request, context in
            try await self.signedIn(request, context) { session in
                guard let id = context.parameters.get("id").flatMap(Int64.init), let run = try await store.run(Run.ID(id)) else {
                    return await page("error", title: "No such run", request, session: session, status: .notFound,
                                      ["message": "There is no run \(context.parameters.get("id") ?? ""). The runs page lists them."])
                }
                let steps = try await store.steps(of: run.id)
                var trigger: Trigger?
                if let id = run.triggerID { trigger = try await store.trigger(id) }
                let version = try await store.version(registeredBy: run.id)
                var values: [String: Any] = [
                    "run": UIContext.runRow(run, trigger: trigger?.kind),
                    "steps": steps.map { UIContext.step($0, of: run.id, stateDirectory: stateDirectory) },
                    "hasSteps": !steps.isEmpty, "running": run.state == .running,
                    "gateFirst": run.conclusion.gateReport?.passed == false,
                ]
                values["gate"] = run.conclusion.gateReport.map(UIContext.gate)
                if let version {
                    let promotions = try await store.promotions(of: version.model, version: version.number)
                    values["registered"] = [
                        "model": version.model, "label": version.label, "hasPromotions": !promotions.isEmpty,
                        "promotions": promotions.map(UIContext.promotion),
                    ] as [String: Any]
                }
                if let number = trigger?.pullRequestNumber ?? version?.pullRequest {
                    let page = run.project.flatMap { name in projects.first { $0.name == name } }?.pullRequestPage(number)
                    values["pullRequest"] = ["number": number, "page": page ?? ""] as [String: Any]
                }
                return await page("run", title: "Run \(id)", request, session: session, values)
            }
        }
        router.get("models") { request, context in
            try await self.signedIn(request, context) { session in
                var models: [[String: Any]] = []
                for name in try await store.modelNames() {
                    let versions = try await store.versions(of: name)
                    let environments = try await environments(of: name)
                    models.append([
                        "name": name, "versions": versions.count, "latest": versions.last?.number.description ?? "—",
                        "environments": environments.map { "\($0.name) \($0.current?.description ?? "none")" }
                            .joined(separator: ", "),
                    ])
                }
                return await page("models", title: "Models", request, session: session, ["models": models, "hasModels": !models.isEmpty])
            }
        }
        router.get("models/:model") { request, context in
            try await self.signedIn(request, context) { session in
                let model = context.parameters.get("model") ?? ""
                let versions = try await store.versions(of: model)
                guard !versions.isEmpty else {
                    return await page("error", title: "No such model", request, session: session, status: .notFound,
                                      ["message": "\(model) has no registered version."])
                }
                let held = try await environments(of: model)
                let environments = held.map { environment -> [String: Any] in
                    [
                        "name": environment.name, "current": environment.current?.description ?? "none",
                        "history": environment.history.reversed().map(UIContext.change),
                    ]
                }
                var heldBy: [ModelVersion.Number: [String]] = [:]
                for environment in held {
                    if let current = environment.current { heldBy[current, default: []].append(environment.name) }
                }
                let charts = MetricChart.charts(of: versions, heldBy: heldBy)
                return await page(
                    "model", title: model, request, session: session,
                    ["model": model, "versions": versions.reversed().map(UIContext.version), "environments": environments,
                     "hasEnvironments": !environments.isEmpty, "charts": charts.map(UIContext.chart), "hasCharts": !charts.isEmpty])
            }
        }
        router.get("approvals") { request, context in
            try await self.signedIn(request, context) { session in
                let pending = try await store.promotions().filter { $0.state == .pendingApproval }
                let canDecide = session.map { $0.role >= .releaseManager } == true
                let why = auth == nil
                    ? "This server has no auth section, so nobody can approve from the web; use sluice approve."
                    : "You can see these; approving needs the release-manager or admin role."
                return await page(
                    "approvals", title: "Approvals", request, session: session,
                    ["promotions": pending.map(UIContext.promotion), "hasPromotions": !pending.isEmpty, "canDecide": canDecide,
                     "whyNoDecisions": why])
            }
        }
        router.get("audit") { request, context in
            try await self.signedIn(request, context) { session in
                let entries = try await store.recentAuditEntries(limit: 200)
                return await page("audit", title: "Audit log", request, session: session, ["entries": entries.map(UIContext.audit)])
            }
        }
    }

    // MARK: - Sign-in

    /// Opens a new session (under a new id, so a planted cookie cannot be signed in) for the
    /// holder of the posted token.
    private func signIn(_ request: Request, _ context: SluiceRequestContext) async throws -> Response {
        guard let auth else { return Self.redirect("/sign-in") }
        let form = try await Self.form(SignInForm.self, request)
        guard let token = form?.token, let holder = auth.token(matching: token) else {
            return await page(
                "sign-in", title: "Sign in", request, status: .unauthorized,
                ["problem": "That token is not one of auth.tokens_env; check it and try again."])
        }
        context.sessions.createSession(UISession(for: holder), expiresIn: Self.sessionLifetime)
        return Self.redirect("/runs")
    }

    private func signOut(_ request: Request, _ context: SluiceRequestContext) async throws -> Response {
        let form = try await Self.form(CSRFForm.self, request)
        if case .session(let csrf) = context.identity?.person?.credential,
            form?.csrf.map({ Secret(csrf).isEqual(toPresented: $0) }) == true
        {
            context.sessions.clearSession()
        }
        return Self.redirect("/sign-in")
    }

    /// A sign-in form: the API token to exchange for a session.
    private struct SignInForm: Decodable {
        var token: String?
    }

    /// A form that only carries the session's CSRF token (sign-out).
    private struct CSRFForm: Decodable {
        var csrf: String?
    }

    /// An approve or reject form from the approvals page.
    private struct DecisionForm: Decodable {
        var csrf: String?
        var reason: String?
    }

    /// The posted `application/x-www-form-urlencoded` body as `T`, read by Hummingbird's form
    /// decoder; nil when it is not such a form, which every caller treats as an empty one.
    private static func form<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T? {
        var request = request
        let body = try await request.collectBody(upTo: 16 << 10)
        return try? URLEncodedFormDecoder().decode(T.self, from: String(buffer: body))
    }

    /// Runs `render` with the signed-in person (nil without `auth`), showing a store failure as a
    /// page of its own; ``Access/page(_:)`` has already sent anyone else to sign in.
    private func signedIn(
        _ request: Request, _ context: SluiceRequestContext, _ render: (Caller.Person?) async throws -> Response
    ) async throws -> Response {
        let session = context.identity?.person
        do {
            return try await render(session)
        } catch {
            return await page(
                "error", title: "The store is unavailable", request, session: session, status: .serviceUnavailable,
                ["message": "Sluice could not read its store: \(error). Reload the page in a moment."])
        }
    }

    // MARK: - Decisions

    /// A decision from the approvals page; ``Access/page(_:)`` admitted only release managers.
    private func decide(_ request: Request, _ context: SluiceRequestContext, id: String?, decision: String?) async throws -> Response {
        let form = try await Self.form(DecisionForm.self, request)
        guard let session = context.identity?.person else { return Self.redirect("/sign-in") }
        if case .session(let csrf) = session.credential, !(form?.csrf.map { Secret(csrf).isEqual(toPresented: $0) } ?? false) {
            return await page(
                "error", title: "Refused", request, session: session, status: .forbidden,
                ["message": "The form's CSRF token is missing or stale; reload the approvals page and try again."])
        }
        guard let number = id.flatMap(Int64.init), decision == "approve" || decision == "reject" else {
            return await page("error", title: "No such decision", request, session: session, status: .notFound,
                              ["message": "Approve or reject a promotion from the approvals page."])
        }
        let promotionID = Promotion.ID(number)
        do {
            let promotion: Promotion
            if decision == "approve" {
                promotion = try await promoter.approve(promotionID, as: session.login)
            } else {
                guard let reason = form?.reason?.trimmingCharacters(in: .whitespaces), !reason.isEmpty else {
                    return Self.redirect("/approvals?problem=" + Self.queryEscaped("Say why you reject \(promotionID)."))
                }
                promotion = try await promoter.reject(promotionID, as: session.login, reason: reason)
            }
            let note = "\(promotion.id) (\(promotion.model) \(promotion.version) to \(promotion.environment)): \(promotion.state.rawValue)"
                + (promotion.deployCommit.map { ", deploy commit \($0.prefix(12))" } ?? "")
            return Self.redirect("/approvals?notice=" + Self.queryEscaped(note))
        } catch {
            return Self.redirect("/approvals?problem=" + Self.queryEscaped(error.message))
        }
    }

    // MARK: - Rendering

    /// The page `template`, with the header's values (who is signed in, the notice) added.
    private func page(
        _ template: String, title: String, _ request: Request, session: Caller.Person? = nil,
        status: HTTPResponse.Status = .ok, _ values: [String: Any] = [:]
    ) async -> Response {
        var context = values
        context["title"] = title
        context["version"] = SluiceVersion.current
        context["authConfigured"] = auth != nil
        if let session {
            context["user"] = ["name": session.login, "role": session.role.rawValue]
            if case .session(let csrf) = session.credential { context["csrf"] = csrf }
        }
        for key in ["notice", "problem"] where context[key] == nil {
            context[key] = request.uri.queryParameters.get(key).map { String($0) }
        }
        let html = library.render(context, withTemplate: template) ?? "<p>The page template \(template) is missing.</p>"
        return Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                HTTPField.Name("Content-Security-Policy")!: "default-src 'self'; frame-ancestors 'none'",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// An environment of a model, the version it holds (none once emptied) and its moves.
    private struct EnvironmentView {
        let name: String
        let current: ModelVersion.Number?
        let history: [EnvironmentChange]
    }

    /// The environments that ever held a version of `model`, with what each holds now.
    private func environments(of model: String) async throws -> [EnvironmentView] {
        var views: [EnvironmentView] = []
        for name in try await store.environments(of: model) {
            views.append(
                EnvironmentView(
                    name: name, current: try await store.version(of: model, in: name),
                    history: try await store.environmentHistory(of: model, environment: name)))
        }
        return views
    }

    private static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    private static func queryEscaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }
}
