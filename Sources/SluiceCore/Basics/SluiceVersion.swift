/// Sluice's own release version, shown by `sluice version` and in the `User-Agent` of forge calls.
public enum SluiceVersion {
    public static let current = "0.1.0"
}
