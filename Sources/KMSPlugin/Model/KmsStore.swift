/// The keys and aliases of one account in one region, as AWS scopes them.
struct KmsStore: Sendable {
    var keys: [String: KmsKey] = [:]
    var aliases: [String: KmsAlias] = [:]
    /// Keys in creation order, for ListKeys's stable pagination.
    var keyOrder: [String] = []
    /// Grants by key id, in creation order.
    var grants: [String: [KmsGrant]] = [:]
    /// Every grant token issued in this store, to the grant it stands for.
    var grantTokens: [String: String] = [:]

    mutating func insert(_ key: KmsKey) {
        if keys[key.keyId] == nil { keyOrder.append(key.keyId) }
        keys[key.keyId] = key
    }

    mutating func remove(keyId: String) {
        keys[keyId] = nil
        keyOrder.removeAll { $0 == keyId }
        if let removed = grants.removeValue(forKey: keyId) {
            let ids = Set(removed.map(\.grantId))
            grantTokens = grantTokens.filter { !ids.contains($0.value) }
        }
        aliases = aliases.filter { $0.value.targetKeyId != keyId }
    }

    func grant(id: String) -> KmsGrant? {
        for list in grants.values { if let grant = list.first(where: { $0.grantId == id }) { return grant } }
        return nil
    }

    mutating func removeGrant(id: String) {
        for (keyId, list) in grants where list.contains(where: { $0.grantId == id }) {
            grants[keyId] = list.filter { $0.grantId != id }
        }
        grantTokens = grantTokens.filter { $0.value != id }
    }

    func aliasNames(for keyId: String) -> [String] {
        aliases.values.filter { $0.targetKeyId == keyId }.map(\.name).sorted()
    }
}
