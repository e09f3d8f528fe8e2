extension ServerConfig {
    /// Every secret the config holds, for the redactor that cleans step output: a step must not
    /// be able to print one of them into a log, even one it was never given.
    public var secrets: [Secret] {
        var secrets: [Secret] = []
        for project in projects {
            secrets += [project.webhookSecret, project.signingSecret, project.token].compactMap { $0 }
            secrets += project.stepSecrets.values
        }
        if let token = deploy?.token { secrets.append(token) }
        secrets += dataSources.map(\.credential.secret)
        if let alertmanager { secrets.append(alertmanager.bearerToken) }
        secrets += auth?.tokens.map(\.token) ?? []
        secrets += [auth?.artifactToken, metrics?.token, postgres?.password, artifactBucket?.secretAccessKey].compactMap { $0 }
        return secrets
    }
}
