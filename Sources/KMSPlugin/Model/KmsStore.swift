/// The keys and aliases of one account in one region, as AWS scopes them.
struct KmsStore: Sendable {
    var keys: [String: KmsKey] = [:]
    var aliases: [String: KmsAlias] = [:]
    /// Keys in creation order, for ListKeys's stable pagination.
    var keyOrder: [String] = []

    mutating func insert(_ key: KmsKey) {
        if keys[key.keyId] == nil { keyOrder.append(key.keyId) }
        keys[key.keyId] = key
    }

    mutating func remove(keyId: String) {
        keys[keyId] = nil
        keyOrder.removeAll { $0 == keyId }
        aliases = aliases.filter { $0.value.targetKeyId != keyId }
    }

    func aliasNames(for keyId: String) -> [String] {
        aliases.values.filter { $0.targetKeyId == keyId }.map(\.name).sorted()
    }
}
