/// Why a duration in a pipeline spec was refused, in words for the person who wrote it.
struct InvalidDuration: Error, Equatable {
    let reason: String
}
