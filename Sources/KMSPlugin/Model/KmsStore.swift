/// The keys, aliases and grants of one account in one region, as AWS scopes them.
///
/// Every change goes through a method that notes what changed, so persistence can store exactly the records a
/// request touched (see `KmsPersistence`), with no diffing of the whole store.
struct KmsStore: Sendable {
    /// A record that changed since the last time the changes were taken.
    enum Change: Hashable, Sendable {
        case key(String)
        case alias(String)
        case grant(String)
        case customKeyStore(String)
    }

    private(set) var keys: [String: KmsKey] = [:]
    private(set) var aliases: [String: KmsAlias] = [:]
    /// The alias names of each key, kept by `setAlias` and `removeAlias`. CreateAlias's limit of 50 per key, the
    /// policy check's aliases and key deletion ask per key; a walk over every alias made creating or deleting
    /// many of them quadratic.
    private var aliasNamesByKey: [String: Set<String>] = [:]
    /// Keys in creation order, for ListKeys's stable pagination.
    private(set) var keyOrder: [String] = []
    /// Grants by key id, in creation order.
    private(set) var grants: [String: [KmsGrant]] = [:]
    /// Every grant token issued in this store, to the grant it stands for.
    private(set) var grantTokens: [String: String] = [:]
    /// The key of every grant, and the tokens of every grant: indexes that keep grant lookups and persistence
    /// independent of how many grants there are (a key may hold 50,000).
    private var grantKeys: [String: String] = [:]
    private var tokensByGrant: [String: [String]] = [:]
    private(set) var customKeyStores: [String: KmsCustomKeyStore] = [:]
    /// What changed since `takeChanges()`; a removed record is a change whose value is gone.
    private(set) var changes: Set<Change> = []
    /// The keys the once-a-second tick acts on (a deletion window, automatic rotation, imported material that
    /// expires, a key still Creating or Updating), kept up to date by every change: a tick then costs what may be due, not a walk over every key
    /// with the store locked, which with 200,000 keys took a fifth of the CPU and stalled requests each second.
    private(set) var timedKeyIds: Set<String> = []

    /// Whether the tick may have to act on `key` some day.
    static func isTimed(_ key: KmsKey) -> Bool {
        key.state.isPendingDeletion || key.state == .creating || key.state == .updating || key.rotation.enabled
            || (key.origin == .external && key.nextExpiry != nil)
    }

    /// The timed keys themselves.
    var timedKeys: [KmsKey] { timedKeyIds.compactMap { keys[$0] } }

    private mutating func noteTiming(of key: KmsKey) {
        if Self.isTimed(key) {
            timedKeyIds.insert(key.keyId)
        } else {
            timedKeyIds.remove(key.keyId)
        }
    }

    mutating func takeChanges() -> Set<Change> {
        defer { changes = [] }
        return changes
    }

    // MARK: Keys

    mutating func insert(_ key: KmsKey) {
        if keys[key.keyId] == nil { keyOrder.append(key.keyId) }
        keys[key.keyId] = key
        noteTiming(of: key)
        changes.insert(.key(key.keyId))
    }

    /// Replaces a key that exists.
    mutating func update(_ key: KmsKey) {
        guard keys[key.keyId] != nil else { return }
        keys[key.keyId] = key
        noteTiming(of: key)
        changes.insert(.key(key.keyId))
    }

    /// Deletes keys with their aliases and grants, with one pass over the creation order for all of them: the
    /// tick deletes every key whose window has ended at once, and a pass per key made that quadratic.
    mutating func remove(keyIds: Set<String>) {
        guard !keyIds.isEmpty else { return }
        for keyId in keyIds {
            keys[keyId] = nil
            timedKeyIds.remove(keyId)
            changes.insert(.key(keyId))
            for name in aliasNamesByKey[keyId] ?? [] { removeAlias(name: name) }
            for grant in grants.removeValue(forKey: keyId) ?? [] {
                grantKeys[grant.grantId] = nil
                for token in tokensByGrant.removeValue(forKey: grant.grantId) ?? [] { grantTokens[token] = nil }
                changes.insert(.grant(grant.grantId))
            }
        }
        keyOrder.removeAll { keyIds.contains($0) }
    }

    // MARK: Aliases

    /// Creates an alias, or points an existing one at its new key (UpdateAlias).
    mutating func setAlias(_ alias: KmsAlias) {
        if let previous = aliases.updateValue(alias, forKey: alias.name) {
            unindex(alias: previous.name, of: previous.targetKeyId)
        }
        aliasNamesByKey[alias.targetKeyId, default: []].insert(alias.name)
        changes.insert(.alias(alias.name))
    }

    @discardableResult
    mutating func removeAlias(name: String) -> Bool {
        guard let alias = aliases.removeValue(forKey: name) else { return false }
        unindex(alias: name, of: alias.targetKeyId)
        changes.insert(.alias(name))
        return true
    }

    private mutating func unindex(alias name: String, of keyId: String) {
        aliasNamesByKey[keyId]?.remove(name)
        if aliasNamesByKey[keyId]?.isEmpty == true { aliasNamesByKey[keyId] = nil }
    }

    /// The names of the aliases that point at `keyId`, sorted.
    func aliasNames(for keyId: String) -> [String] {
        (aliasNamesByKey[keyId] ?? []).sorted()
    }

    /// How many aliases point at `keyId` (CreateAlias's limit of 50).
    func aliasCount(for keyId: String) -> Int {
        aliasNamesByKey[keyId]?.count ?? 0
    }

    // MARK: Custom key stores

    mutating func setCustomKeyStore(_ store: KmsCustomKeyStore) {
        customKeyStores[store.id] = store
        changes.insert(.customKeyStore(store.id))
    }

    mutating func removeCustomKeyStore(id: String) {
        customKeyStores[id] = nil
        changes.insert(.customKeyStore(id))
    }

    // MARK: Grants

    mutating func addGrant(_ grant: KmsGrant) {
        // A grant id is unique: a second record for it (an import file that names it twice) replaces the first.
        if let keyId = grantKeys[grant.grantId] { grants[keyId]?.removeAll { $0.grantId == grant.grantId } }
        grants[grant.keyId, default: []].append(grant)
        grantKeys[grant.grantId] = grant.keyId
        changes.insert(.grant(grant.grantId))
    }

    mutating func addGrantToken(_ token: String, grantId: String) {
        let previous = grantTokens.updateValue(grantId, forKey: token)
        if previous != grantId {
            // A token re-pointed to another grant (a conflicting import) leaves the old grant's list.
            if let previous { tokensByGrant[previous]?.removeAll { $0 == token } }
            tokensByGrant[grantId, default: []].append(token)
        }
        changes.insert(.grant(grantId))
    }

    /// The grant with this id; the newest are found first, as a grant is mostly looked up right after it was made.
    func grant(id: String) -> KmsGrant? {
        guard let keyId = grantKeys[id] else { return nil }
        return grants[keyId]?.last(where: { $0.grantId == id })
    }

    func tokens(of grantId: String) -> [String] {
        (tokensByGrant[grantId] ?? []).sorted()
    }

    mutating func removeGrant(id: String) {
        if let keyId = grantKeys.removeValue(forKey: id) { grants[keyId]?.removeAll { $0.grantId == id } }
        for token in tokensByGrant.removeValue(forKey: id) ?? [] { grantTokens[token] = nil }
        changes.insert(.grant(id))
    }
}
