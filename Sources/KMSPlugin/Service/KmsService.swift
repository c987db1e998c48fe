import EmuPluginKit
import Synchronization

/// The KMS plugin's operations over its state: every handler takes the caller and the validated JSON input and
/// returns the JSON output or throws AWS's error.
final class KmsService: Sendable {
    let state = KmsState()
    let validator = ShapeValidator(modelJSON: KMSServiceModel.json)
    let lastUsage = KeyUsageTracker()
    /// AWS managed keys created during a request that then failed: the host drops a failed request's records,
    /// but the key exists in memory, so the next successful request (or the clock tick) stores it.
    let unsavedKeys = LockedBox<Set<String>>([])
    let authorizer = KmsAuthorizer(
        enforcing: PluginHost.current?.config("ENFORCE_POLICIES").map { !["0", "false", "off", "no"].contains($0.lowercased()) }
            ?? true)

    var host: PluginHost {
        guard let host = PluginHost.current else { fatalError("the KMS plugin was used before its entry point ran") }
        return host
    }

    var now: Double { host.nowSeconds() }

    typealias Operation = JSONOperation<KmsService>

    /// The operations this plugin implements, with whether each may run on the event loop (fast, no key
    /// generation) and whether it changes state.
    static let operations: [Operation] = [
        Operation(name: "CreateKey", nonBlocking: false, mutating: true) { try $0.createKey($1, $2) },
        Operation(name: "DescribeKey", nonBlocking: true, mutating: true) { try $0.describeKey($1, $2) },
        Operation(name: "ListKeys", nonBlocking: true, mutating: false) { try $0.listKeys($1, $2) },
        Operation(name: "EnableKey", nonBlocking: true, mutating: true) { try $0.enableKey($1, $2) },
        Operation(name: "DisableKey", nonBlocking: true, mutating: true) { try $0.disableKey($1, $2) },
        Operation(name: "UpdateKeyDescription", nonBlocking: true, mutating: true) { try $0.updateKeyDescription($1, $2) },
        Operation(name: "ScheduleKeyDeletion", nonBlocking: true, mutating: true) { try $0.scheduleKeyDeletion($1, $2) },
        Operation(name: "CancelKeyDeletion", nonBlocking: true, mutating: true) { try $0.cancelKeyDeletion($1, $2) },
        Operation(name: "Encrypt", nonBlocking: true, mutating: true) { try $0.encrypt($1, $2) },
        Operation(name: "Decrypt", nonBlocking: true, mutating: true) { try $0.decrypt($1, $2) },
        Operation(name: "ReEncrypt", nonBlocking: true, mutating: true) { try $0.reEncrypt($1, $2) },
        Operation(name: "GenerateDataKey", nonBlocking: true, mutating: true) { try $0.generateDataKey($1, $2, withPlaintext: true) },
        Operation(name: "GenerateDataKeyWithoutPlaintext", nonBlocking: true, mutating: true) {
            try $0.generateDataKey($1, $2, withPlaintext: false)
        },
        Operation(name: "GenerateRandom", nonBlocking: true, mutating: false) { try $0.generateRandom($1, $2) },
        Operation(name: "CreateAlias", nonBlocking: true, mutating: true) { try $0.createAlias($1, $2) },
        Operation(name: "UpdateAlias", nonBlocking: true, mutating: true) { try $0.updateAlias($1, $2) },
        Operation(name: "DeleteAlias", nonBlocking: true, mutating: true) { try $0.deleteAlias($1, $2) },
        Operation(name: "ListAliases", nonBlocking: true, mutating: false) { try $0.listAliases($1, $2) },
        Operation(name: "TagResource", nonBlocking: true, mutating: true) { try $0.tagResource($1, $2) },
        Operation(name: "UntagResource", nonBlocking: true, mutating: true) { try $0.untagResource($1, $2) },
        Operation(name: "ListResourceTags", nonBlocking: true, mutating: false) { try $0.listResourceTags($1, $2) },
        Operation(name: "Sign", nonBlocking: true, mutating: true) { try $0.sign($1, $2) },
        Operation(name: "Verify", nonBlocking: true, mutating: true) { try $0.verify($1, $2) },
        Operation(name: "GetPublicKey", nonBlocking: true, mutating: false) { try $0.getPublicKey($1, $2) },
        Operation(name: "GenerateDataKeyPair", nonBlocking: false, mutating: true) {
            try $0.generateDataKeyPair($1, $2, withPlaintext: true)
        },
        Operation(name: "GenerateDataKeyPairWithoutPlaintext", nonBlocking: false, mutating: true) {
            try $0.generateDataKeyPair($1, $2, withPlaintext: false)
        },
        Operation(name: "GenerateMac", nonBlocking: true, mutating: true) { try $0.generateMac($1, $2) },
        Operation(name: "VerifyMac", nonBlocking: true, mutating: true) { try $0.verifyMac($1, $2) },
        Operation(name: "DeriveSharedSecret", nonBlocking: true, mutating: true) { try $0.deriveSharedSecret($1, $2) },
        Operation(name: "Encapsulate", nonBlocking: true, mutating: true) { try $0.encapsulate($1, $2) },
        Operation(name: "Decapsulate", nonBlocking: true, mutating: true) { try $0.decapsulate($1, $2) },
        Operation(name: "EnableKeyRotation", nonBlocking: true, mutating: true) { try $0.enableKeyRotation($1, $2) },
        Operation(name: "DisableKeyRotation", nonBlocking: true, mutating: true) { try $0.disableKeyRotation($1, $2) },
        Operation(name: "GetKeyRotationStatus", nonBlocking: true, mutating: false) { try $0.getKeyRotationStatus($1, $2) },
        Operation(name: "RotateKeyOnDemand", nonBlocking: true, mutating: true) { try $0.rotateKeyOnDemand($1, $2) },
        Operation(name: "ListKeyRotations", nonBlocking: true, mutating: false) { try $0.listKeyRotations($1, $2) },
        Operation(name: "GetKeyLastUsage", nonBlocking: true, mutating: false) { try $0.getKeyLastUsage($1, $2) },
        Operation(name: "GetKeyPolicy", nonBlocking: true, mutating: false) { try $0.getKeyPolicy($1, $2) },
        Operation(name: "PutKeyPolicy", nonBlocking: true, mutating: true) { try $0.putKeyPolicy($1, $2) },
        Operation(name: "ListKeyPolicies", nonBlocking: true, mutating: false) { try $0.listKeyPolicies($1, $2) },
        Operation(name: "GetParametersForImport", nonBlocking: false, mutating: true) {
            try $0.getParametersForImport($1, $2)
        },
        Operation(name: "ImportKeyMaterial", nonBlocking: true, mutating: true) { try $0.importKeyMaterial($1, $2) },
        Operation(name: "DeleteImportedKeyMaterial", nonBlocking: true, mutating: true) {
            try $0.deleteImportedKeyMaterial($1, $2)
        },
        Operation(name: "ReplicateKey", nonBlocking: true, mutating: true) { try $0.replicateKey($1, $2) },
        Operation(name: "UpdatePrimaryRegion", nonBlocking: true, mutating: true) { try $0.updatePrimaryRegion($1, $2) },
        Operation(name: "CreateGrant", nonBlocking: true, mutating: true) { try $0.createGrant($1, $2) },
        Operation(name: "ListGrants", nonBlocking: true, mutating: false) { try $0.listGrants($1, $2) },
        Operation(name: "ListRetirableGrants", nonBlocking: true, mutating: false) { try $0.listRetirableGrants($1, $2) },
        Operation(name: "RetireGrant", nonBlocking: true, mutating: true) { try $0.retireGrant($1, $2) },
        Operation(name: "RevokeGrant", nonBlocking: true, mutating: true) { try $0.revokeGrant($1, $2) },
        Operation(name: "CreateCustomKeyStore", nonBlocking: true, mutating: true) { try $0.createCustomKeyStore($1, $2) },
        Operation(name: "DescribeCustomKeyStores", nonBlocking: true, mutating: false) {
            try $0.describeCustomKeyStores($1, $2)
        },
        Operation(name: "ConnectCustomKeyStore", nonBlocking: false, mutating: true) { try $0.connectCustomKeyStore($1, $2) },
        Operation(name: "DisconnectCustomKeyStore", nonBlocking: true, mutating: true) {
            try $0.disconnectCustomKeyStore($1, $2)
        },
        Operation(name: "UpdateCustomKeyStore", nonBlocking: true, mutating: true) { try $0.updateCustomKeyStore($1, $2) },
        Operation(name: "DeleteCustomKeyStore", nonBlocking: true, mutating: true) { try $0.deleteCustomKeyStore($1, $2) },
    ]

    /// Parses and validates the body, then runs the operation: the path every KMS request takes.
    func handle(_ operation: Operation, _ context: RequestContext, _ body: UnsafeRawBufferPointer) throws
        -> OperationOutput
    {
        var input = try JSONValue.parse(body)
        if operation.name == "CreateKey" { input = CustomKeyTags.withoutMaterialTag(input) }
        if operation.name == "CreateGrant" { try Self.precheckGrantOperations(input) }
        try validator.validate(operation.name, Self.withLoopbackProxyAccepted(input, operation: operation.name))
        if input["GrantTokens"] != nil { try checkGrantTokens(input) }
        let output = try RequestScope.with(context, input: input) { () throws -> JSONValue in
            let result = try operation.handler(self, context, input)
            if unsavedKeys.withLock({ !$0.isEmpty }) { saveUnsavedKeys() }
            return result
        }
        lastUsage.record(operation: operation.name, output: output, context: context, now: now)
        return .json(output)
    }

    /// AWS requires `https://host` for an external key store proxy; the emulator also accepts a loopback
    /// `http://127.0.0.1:<port>` or `http://localhost:<port>`, so a local test proxy can stand in for one. Only the
    /// validation sees the stand-in; the store keeps the real endpoint. Only the two operations that take an
    /// endpoint look for one: for the others it was a wasted hash per request.
    static func withLoopbackProxyAccepted(_ input: JSONValue, operation: String) -> JSONValue {
        guard operation == "CreateCustomKeyStore" || operation == "UpdateCustomKeyStore",
            case .object(var members) = input, let endpoint = members["XksProxyUriEndpoint"]?.stringValue
        else {
            return input
        }
        for prefix in ["http://127.0.0.1", "http://localhost"] where endpoint.hasPrefix(prefix) {
            let rest = endpoint.dropFirst(prefix.count)
            if rest.isEmpty || (rest.first == ":" && rest.dropFirst().allSatisfy(\.isNumber)) {
                members["XksProxyUriEndpoint"] = "https://localhost"
                return .object(members)
            }
        }
        return input
    }

    // MARK: - Key lookup

    /// Finds the key a request names, as AWS resolves it: key id, key ARN (another account's too), alias name or
    /// alias ARN; `alias/aws/*` creates the AWS managed key on first use.
    /// - Parameters:
    ///   - allowAlias: false for management operations that AWS documents as "key ID or key ARN" only.
    ///   - rule: the key-state rule the operation applies.
    func resolveKey(_ text: String, _ context: RequestContext, allowAlias: Bool = true, rule: KeyStateRule,
                    action: String? = nil) throws(AWSError) -> KmsKey
    {
        let key = try findKey(text, context, allowAlias: allowAlias)
        // Operations whose API reference says "Cross-account use: No" never reach another account's key, whatever
        // its policy allows ("such permissions have no effect").
        if key.accountId != context.accountId, !Self.crossAccountOperations.contains(context.operation) {
            throw KmsAuthorizer.notAllowed(context.principalArn, action ?? context.operation, key.arn)
        }
        try authorize(action ?? context.operation, on: key, context)
        try rule.check(key)
        return key
    }

    /// The operations KMS lets a caller use on a key in another account (named by key ARN or alias ARN); every
    /// other operation is for the key's own account only.
    static let crossAccountOperations: Set<String> = [
        "CreateGrant", "Decrypt", "DeriveSharedSecret", "DescribeKey", "Encrypt", "GenerateDataKey",
        "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "GenerateDataKeyWithoutPlaintext",
        "GenerateMac", "GetKeyRotationStatus", "GetPublicKey", "ListGrants", "ReEncrypt", "RetireGrant", "RevokeGrant",
        "Sign", "Verify", "VerifyMac", "Encapsulate", "Decapsulate",
    ]

    /// Checks the key policy and grants for `action` on `key` by the request's caller.
    func authorize(_ action: String, on key: KmsKey, _ context: RequestContext) throws(AWSError) {
        guard authorizer.enforcing else { return }
        // Most keys keep a policy without conditions; its answer depends only on who asks for what, and is cached.
        if authorizer.quickAllow(action, on: key, context: context) { return }
        let (aliases, grants) = try state.read(key.accountId, key.region) { store in
            (store.aliasNames(for: key.keyId), store.grants[key.keyId] ?? [])
        }
        let input = RequestScope.input ?? [:]
        try authorizer.authorize(action, on: key, aliases: aliases, grants: grants, context: context,
                                 requestConditions: KmsAuthorizer.requestConditions(input, context), input: input)
    }

    func findKey(_ text: String, _ context: RequestContext, allowAlias: Bool) throws(AWSError) -> KmsKey {
        withAvailability(try locateKey(text, context, allowAlias: allowAlias))
    }

    /// A key in a custom key store that is not connected is Unavailable until the store connects again.
    func withAvailability(_ key: KmsKey) -> KmsKey {
        guard let storeId = key.customKeyStoreId, key.state == .enabled || key.state == .disabled else { return key }
        let connected = (try? state.read(key.accountId, key.region) { $0.customKeyStores[storeId]?.isConnected ?? false })
            ?? false
        var copy = key
        if !connected { copy.state = .unavailable }
        return copy
    }

    private func locateKey(_ text: String, _ context: RequestContext, allowAlias: Bool) throws(AWSError) -> KmsKey {
        let region = context.region
        switch KeyReference(text) {
        case .keyId(let id):
            if let key = try state.read(context.accountId, region, { $0.keys[id] }) { return key }
            if KeyReference.isWellFormedKeyId(id) {
                throw AWSError.notFound("Key '\(KmsArn.key(region: region, account: context.accountId, keyId: id))' does not exist")
            }
            throw AWSError.notFound("Invalid keyId '\(id)'")
        case .keyArn(let arnRegion, let account, let id):
            guard arnRegion == region else { throw AWSError.notFound("Invalid arn \(arnRegion)") }
            if let key = try state.read(account, region, { $0.keys[id] }) { return key }
            throw AWSError.notFound("Key '\(KmsArn.key(region: region, account: account, keyId: id))' does not exist")
        case .aliasName(let name):
            guard allowAlias else { throw AWSError.notFound("Invalid keyId '\(text)'") }
            return try keyForAlias(name, account: context.accountId, region: region)
        case .aliasArn(let arnRegion, let account, let name):
            guard allowAlias else { throw AWSError.notFound("Invalid keyId '\(text)'") }
            guard arnRegion == region else { throw AWSError.notFound("Invalid arn \(arnRegion)") }
            return try keyForAlias(name, account: account, region: region)
        case .malformedArn:
            throw AWSError.notFound("Invalid arn \(text)")
        }
    }

    private func keyForAlias(_ name: String, account: String, region: String) throws(AWSError) -> KmsKey {
        let now = self.now
        let found: KmsKey? = try state.write(account, region) { store throws(AWSError) in
            if let alias = store.aliases[name] { return store.keys[alias.targetKeyId] }
            guard AWSManagedKeys.isPredefined(name) else { return nil }
            let key = try AWSManagedKeys.create(alias: name, account: account, region: region, now: now)
            store.insert(key)
            unsavedKeys.withLock { _ = $0.insert("\(KmsState.storeId(account, region))/\(key.keyId)") }
            store.setAlias(KmsAlias(name: name, targetKeyId: key.keyId, creationDate: now, lastUpdatedDate: now))
            return key
        }
        guard let found else {
            throw AWSError.notFound("Alias \(KmsArn.alias(region: region, account: account, name: name)) is not found.")
        }
        return found
    }

    /// Applies `change` to the stored key (which must still exist) and returns the changed copy.
    @discardableResult
    func updateKey(_ key: KmsKey, _ change: (inout KmsKey) throws(AWSError) -> Void) throws(AWSError) -> KmsKey {
        try state.write(key.accountId, key.region) { store throws(AWSError) in
            guard var current = store.keys[key.keyId] else {
                throw AWSError.notFound("Key '\(key.arn)' does not exist")
            }
            try change(&current)
            store.update(current)
            return current
        }
    }

    // MARK: - Input helpers

    func string(_ input: JSONValue, _ member: String) -> String? { input[member]?.stringValue }

    func blob(_ input: JSONValue, _ member: String) -> [UInt8]? {
        input[member]?.stringValue.flatMap(Base64.decode)
    }

    func encryptionContext(_ input: JSONValue, _ member: String = "EncryptionContext") throws(AWSError) -> [String: String] {
        guard let object = input[member]?.objectValue else { return [:] }
        var context: [String: String] = [:]
        for (key, value) in object {
            guard let text = value.stringValue else { throw AWSError.serialization("Encryption context values must be strings.") }
            context[key] = text
        }
        return context
    }
}
