import EmuPluginKit

extension KmsService {
    /// Runs once when the host loads the plugin: reads the seed file, if one is configured.
    func start() -> Bool {
        lastUsage.startTracking(at: now)
        return seed()
    }

    /// Creates the keys and aliases of the seed file (KMS_SEED_PATH) that do not exist yet.
    /// - Returns: false when the file cannot be read.
    func seed() -> Bool {
        guard let path = host.config("KMS_SEED_PATH"), !path.isEmpty else { return true }
        do {
            let count = try SeedLoader(service: self).load(path: path)
            host.info("seeded \(count) keys from \(path)")
            return true
        } catch {
            host.error("could not read the seed file \(path): \(SystemErrorText.describe(error, besides: path))")
            return false
        }
    }
}
