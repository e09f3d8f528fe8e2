import ArgumentParser

/// `MODEL --env ENV`: the model and the environment a command acts on.
struct ModelEnvironment: ParsableArguments {
    @Argument(help: "The model's registry name.")
    var model: String

    @Option(help: "The environment (production, staging, ...).")
    var env: String
}

/// `ID`: the promotion a decision is about.
struct PromotionNumber: ParsableArguments {
    @Argument(help: "The promotion's number (sluice promotions lists them).")
    var id: Int64
}
