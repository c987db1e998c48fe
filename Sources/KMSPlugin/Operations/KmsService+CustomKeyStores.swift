import EmuCrypto
import EmuPluginKit

extension KmsService {
    /// How long KMS waits for an external key store proxy (AWS: 250 ms; KMS_XKS_TIMEOUT_MS for slow test rigs).
    var xksTimeout: UInt32 {
        host.config("KMS_XKS_TIMEOUT_MS").flatMap { UInt32($0) } ?? 250
    }

    func customKeyStore(_ id: String, _ context: RequestContext) throws(AWSError) -> KmsCustomKeyStore {
        guard let store = try state.read(context.accountId, context.region, { $0.customKeyStores[id] }) else {
            throw AWSError("CustomKeyStoreNotFoundException", "Custom key store \(id) does not exist.")
        }
        return store
    }

    private func xksClient(_ store: KmsCustomKeyStore) -> XksProxyClient {
        XksProxyClient(store: store, host: host, timeoutMilliseconds: xksTimeout)
    }

    func createCustomKeyStore(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let type = string(input, "CustomKeyStoreType") ?? "AWS_CLOUDHSM"
        var store = KmsCustomKeyStore(id: "cks-" + String(Hex.encode(SecureRandom.bytes(9)).prefix(17)),
                                      name: try input.requiredString("CustomKeyStoreName"), type: type, creationDate: now)
        if type == "EXTERNAL_KEY_STORE" {
            guard let endpoint = string(input, "XksProxyUriEndpoint"), let path = string(input, "XksProxyUriPath"),
                let credential = input["XksProxyAuthenticationCredential"],
                let connectivity = string(input, "XksProxyConnectivity")
            else {
                throw AWSError.validation("An external key store needs XksProxyUriEndpoint, XksProxyUriPath, "
                    + "XksProxyAuthenticationCredential and XksProxyConnectivity.")
            }
            guard endpoint.hasPrefix("https://") || endpoint.hasPrefix("http://127.") || endpoint.hasPrefix("http://localhost")
            else {
                throw AWSError("XksProxyInvalidConfigurationException", "XksProxyUriEndpoint must begin with https://.")
            }
            guard path.hasSuffix("/kms/xks/v1") else {
                throw AWSError("XksProxyInvalidConfigurationException", "XksProxyUriPath must end with /kms/xks/v1.")
            }
            if connectivity == "VPC_ENDPOINT_SERVICE", string(input, "XksProxyVpcEndpointServiceName") == nil {
                throw AWSError.validation("XksProxyVpcEndpointServiceName is required for VPC_ENDPOINT_SERVICE connectivity.")
            }
            store.xksUriEndpoint = endpoint
            store.xksUriPath = path
            store.xksConnectivity = connectivity
            store.xksVpcEndpointServiceName = string(input, "XksProxyVpcEndpointServiceName")
            store.xksVpcEndpointServiceOwner = string(input, "XksProxyVpcEndpointServiceOwner")
            store.xksAccessKeyId = credential["AccessKeyId"]?.stringValue
            store.xksSecretAccessKey = credential["RawSecretAccessKey"]?.stringValue
        } else {
            guard let cluster = string(input, "CloudHsmClusterId"), let anchor = string(input, "TrustAnchorCertificate"),
                let password = string(input, "KeyStorePassword")
            else {
                throw AWSError.validation("An AWS CloudHSM key store needs CloudHsmClusterId, TrustAnchorCertificate and KeyStorePassword.")
            }
            store.cloudHsmClusterId = cluster
            store.trustAnchorCertificate = anchor
            store.keyStorePassword = password
        }
        let created = store
        try state.write(context.accountId, context.region) { all throws(AWSError) in
            let existing = all.customKeyStores.values
            guard existing.count < KmsCustomKeyStore.limitPerRegion else {
                throw AWSError("LimitExceededException", "The account has reached the limit of 10 custom key stores in this region.")
            }
            try Self.requireUnique(created, among: existing)
            all.setCustomKeyStore(created)
        }
        return ["CustomKeyStoreId": .string(created.id)]
    }

    private func entry(_ store: KmsCustomKeyStore) -> JSONValue {
        var row: [String: JSONValue] = [
            "CustomKeyStoreId": .string(store.id), "CustomKeyStoreName": .string(store.name),
            "ConnectionState": .string(store.connectionState), "CreationDate": .double(store.creationDate),
            "CustomKeyStoreType": .string(store.type),
        ]
        if let code = store.connectionErrorCode { row["ConnectionErrorCode"] = .string(code) }
        if let cluster = store.cloudHsmClusterId { row["CloudHsmClusterId"] = .string(cluster) }
        if let anchor = store.trustAnchorCertificate { row["TrustAnchorCertificate"] = .string(anchor) }
        if store.isExternal {
            var proxy: [String: JSONValue] = [
                "Connectivity": .string(store.xksConnectivity ?? ""), "AccessKeyId": .string(store.xksAccessKeyId ?? ""),
                "UriEndpoint": .string(store.xksUriEndpoint ?? ""), "UriPath": .string(store.xksUriPath ?? ""),
            ]
            if let name = store.xksVpcEndpointServiceName { proxy["VpcEndpointServiceName"] = .string(name) }
            if let owner = store.xksVpcEndpointServiceOwner { proxy["VpcEndpointServiceOwner"] = .string(owner) }
            row["XksProxyConfiguration"] = .object(proxy)
        }
        return .object(row)
    }

    func describeCustomKeyStores(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let page = try Pagination(input, defaultLimit: 100)
        var stores = try state.read(context.accountId, context.region) { $0.customKeyStores.values.sorted { ($0.creationDate, $0.id) < ($1.creationDate, $1.id) } }
        if let id = string(input, "CustomKeyStoreId") {
            stores = stores.filter { $0.id == id }
            if stores.isEmpty { throw AWSError("CustomKeyStoreNotFoundException", "Custom key store \(id) does not exist.") }
        }
        if let name = string(input, "CustomKeyStoreName") {
            stores = stores.filter { $0.name == name }
            if stores.isEmpty { throw AWSError("CustomKeyStoreNotFoundException", "Custom key store \(name) does not exist.") }
        }
        var output: [String: JSONValue] = [:]
        page.page(stores, into: &output, member: "CustomKeyStores") { entry($0) }
        return .object(output)
    }

    /// Writes a changed store back, unless it was deleted meanwhile (a slow XKS connect must not resurrect it).
    private func saveStore(_ store: KmsCustomKeyStore, _ context: RequestContext) throws(AWSError) {
        try state.write(context.accountId, context.region) { all throws(AWSError) in
            guard all.customKeyStores[store.id] != nil else {
                throw AWSError("CustomKeyStoreNotFoundException", "Custom key store \(store.id) does not exist.")
            }
            try Self.requireUnique(store, among: all.customKeyStores.values)
            all.setCustomKeyStore(store)
        }
    }

    /// What AWS keeps unique among an account's key stores in a Region, checked on create and on every update: the
    /// name, the CloudHSM cluster, an external store's proxy endpoint and path, and for VPC connectivity its
    /// endpoint service and its endpoint (the private DNS name).
    private static func requireUnique(_ store: KmsCustomKeyStore, among all: some Collection<KmsCustomKeyStore>)
        throws(AWSError)
    {
        let others = all.filter { $0.id != store.id }
        if others.contains(where: { $0.name == store.name }) {
            throw AWSError("CustomKeyStoreNameInUseException", "The custom key store name \(store.name) is already in use.")
        }
        if let cluster = store.cloudHsmClusterId, others.contains(where: { $0.cloudHsmClusterId == cluster }) {
            throw AWSError("CloudHsmClusterInUseException", "Cluster \(cluster) is already associated with a custom key store.")
        }
        guard store.isExternal else { return }
        if others.contains(where: { $0.xksUriEndpoint == store.xksUriEndpoint && $0.xksUriPath == store.xksUriPath }) {
            throw AWSError("XksProxyUriInUseException", "The proxy URI endpoint and path are already in use.")
        }
        guard let service = store.xksVpcEndpointServiceName, store.xksConnectivity == "VPC_ENDPOINT_SERVICE" else { return }
        let vpcStores = others.filter { $0.xksConnectivity == "VPC_ENDPOINT_SERVICE" }
        if vpcStores.contains(where: { $0.xksVpcEndpointServiceName == service }) {
            throw AWSError("XksProxyVpcEndpointServiceInUseException",
                           "The VPC endpoint service \(service) is already used by another external key store.")
        }
        if vpcStores.contains(where: { $0.xksUriEndpoint == store.xksUriEndpoint }) {
            throw AWSError("XksProxyUriEndpointInUseException",
                           "The proxy URI endpoint \(store.xksUriEndpoint ?? "") is already used by another external key store.")
        }
    }

    func connectCustomKeyStore(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        var store = try customKeyStore(try input.requiredString("CustomKeyStoreId"), context)
        // A FAILED store must be disconnected before it connects again (CustomKeyStoreInvalidStateException's
        // documentation).
        guard store.connectionState == "DISCONNECTED" || store.connectionState == "CONNECTED" else {
            throw AWSError("CustomKeyStoreInvalidStateException", "Custom key store \(store.id) is \(store.connectionState).")
        }
        if store.isConnected { return [:] }
        if store.isExternal {
            guard context.mayBlock else { throw WouldBlock() }
            let body: JSONValue = ["requestMetadata": XksProxyClient.requestMetadata(context, operation: "ConnectCustomKeyStore", keyArn: nil)]
            switch xksClient(store).call("/health", body: body, region: context.region) {
            case .success(let health) where health["ekmFleetDetails"]?.arrayValue?.isEmpty == false:
                store.connectionState = "CONNECTED"
                store.connectionErrorCode = nil
            case .success:
                store.connectionState = "FAILED"
                store.connectionErrorCode = "XKS_PROXY_INVALID_RESPONSE"
            case .failure(let failure):
                store.connectionState = "FAILED"
                store.connectionErrorCode = failure.connectionErrorCode
            }
        } else {
            store.connectionState = "CONNECTED"
            store.connectionErrorCode = nil
        }
        try saveStore(store, context)
        return [:]
    }

    func disconnectCustomKeyStore(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        var store = try customKeyStore(try input.requiredString("CustomKeyStoreId"), context)
        guard store.connectionState != "CONNECTING", store.connectionState != "DISCONNECTING",
            store.connectionState != "DISCONNECTED"
        else {
            throw AWSError("CustomKeyStoreInvalidStateException", "Custom key store \(store.id) is \(store.connectionState).")
        }
        store.connectionState = "DISCONNECTED"
        store.connectionErrorCode = nil
        try saveStore(store, context)
        return [:]
    }

    func updateCustomKeyStore(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        var store = try customKeyStore(try input.requiredString("CustomKeyStoreId"), context)
        // While connected, only the name, the proxy path and the proxy credential may change.
        let whileConnected: Set<String> = ["CustomKeyStoreId", "NewCustomKeyStoreName", "XksProxyUriPath",
                                           "XksProxyAuthenticationCredential"]
        let requested = Set(input.objectValue?.keys.map { $0 } ?? [])
        if store.connectionState != "DISCONNECTED", !requested.isSubset(of: whileConnected) {
            throw AWSError("CustomKeyStoreInvalidStateException",
                           "Custom key store \(store.id) must be disconnected for this change.")
        }
        if let name = string(input, "NewCustomKeyStoreName") { store.name = name }
        if let password = string(input, "KeyStorePassword") { store.keyStorePassword = password }
        if let cluster = string(input, "CloudHsmClusterId") { store.cloudHsmClusterId = cluster }
        if let endpoint = string(input, "XksProxyUriEndpoint") { store.xksUriEndpoint = endpoint }
        if let path = string(input, "XksProxyUriPath") { store.xksUriPath = path }
        if let connectivity = string(input, "XksProxyConnectivity") { store.xksConnectivity = connectivity }
        if let name = string(input, "XksProxyVpcEndpointServiceName") { store.xksVpcEndpointServiceName = name }
        if let owner = string(input, "XksProxyVpcEndpointServiceOwner") { store.xksVpcEndpointServiceOwner = owner }
        if let credential = input["XksProxyAuthenticationCredential"] {
            store.xksAccessKeyId = credential["AccessKeyId"]?.stringValue
            store.xksSecretAccessKey = credential["RawSecretAccessKey"]?.stringValue
        }
        try saveStore(store, context)
        return [:]
    }

    func deleteCustomKeyStore(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let store = try customKeyStore(try input.requiredString("CustomKeyStoreId"), context)
        guard store.connectionState == "DISCONNECTED" else {
            throw AWSError("CustomKeyStoreInvalidStateException", "Custom key store \(store.id) must be disconnected before it is deleted.")
        }
        try state.write(context.accountId, context.region) { all throws(AWSError) in
            if all.keys.values.contains(where: { $0.customKeyStoreId == store.id }) {
                throw AWSError("CustomKeyStoreHasCMKsException", "Custom key store \(store.id) still holds KMS keys.")
            }
            all.removeCustomKeyStore(id: store.id)
        }
        return [:]
    }

    /// CreateKey in a custom key store: the store must be connected; an external key store's proxy must know
    /// the XksKeyId as an enabled AES-256 key.
    func customKeyStoreKeyFields(_ input: JSONValue, _ context: RequestContext, spec: KeySpec, origin: KeyOrigin,
                                 multiRegion: Bool) throws(AWSError) -> (storeId: String, xksKeyId: String?)?
    {
        guard let storeId = string(input, "CustomKeyStoreId") else {
            if origin == .awsCloudHSM || origin == .externalKeyStore {
                throw AWSError.validation("Origin \(origin.rawValue) requires a CustomKeyStoreId.")
            }
            return nil
        }
        let store = try customKeyStore(storeId, context)
        guard store.isConnected else {
            throw AWSError("CustomKeyStoreInvalidStateException", "Custom key store \(storeId) is not connected.")
        }
        guard spec == .symmetricDefault, !multiRegion else {
            throw AWSError("UnsupportedOperationException", "Keys in a custom key store must be single-Region symmetric encryption keys.")
        }
        guard origin == (store.isExternal ? .externalKeyStore : .awsCloudHSM) else {
            throw AWSError.validation("Origin must be \(store.isExternal ? "EXTERNAL_KEY_STORE" : "AWS_CLOUDHSM") for custom key store \(storeId).")
        }
        guard store.isExternal else { return (storeId, nil) }
        guard let xksKeyId = string(input, "XksKeyId") else {
            throw AWSError.validation("XksKeyId is required for a key in an external key store.")
        }
        guard context.mayBlock else { throw AWSError.wouldBlock }
        let inUse = try state.read(context.accountId, context.region) { all in
            all.keys.values.contains { $0.customKeyStoreId == storeId && $0.xksKeyId == xksKeyId }
        }
        if inUse { throw AWSError("XksKeyAlreadyInUseException", "External key \(xksKeyId) is already used by a KMS key in this store.") }
        let body: JSONValue = ["requestMetadata": XksProxyClient.requestMetadata(context, operation: "CreateKey", keyArn: nil)]
        switch xksClient(store).call("/keys/\(xksKeyId)/metadata", body: body, region: context.region) {
        case .success(let metadata):
            let usages = metadata["keyUsage"]?.arrayValue?.compactMap(\.stringValue) ?? []
            guard metadata["keySpec"]?.stringValue == "AES_256", usages.contains("ENCRYPT"), usages.contains("DECRYPT"),
                metadata["keyStatus"]?.stringValue == "ENABLED"
            else {
                throw AWSError("XksKeyInvalidConfigurationException", "External key \(xksKeyId) is not an enabled AES_256 key for ENCRYPT and DECRYPT.")
            }
            return (storeId, xksKeyId)
        case .failure(.proxyError(let status, _, _)) where status == 404:
            throw AWSError("XksKeyNotFoundException", "The external key store proxy has no key \(xksKeyId).")
        case .failure(let failure):
            throw AWSError("CustomKeyStoreInvalidStateException", failure.description)
        }
    }

    /// The outer layer of an external key store key's double encryption: the proxy encrypts with the external
    /// key, with the encryption context as additional data.
    func xksEncrypt(_ plaintext: [UInt8], key: KmsKey, context: RequestContext, aad: [UInt8]) throws(AWSError) -> [UInt8] {
        let (store, xksKeyId) = try xksTarget(key, context)
        let body: JSONValue = [
            "requestMetadata": XksProxyClient.requestMetadata(context, operation: context.operation, keyArn: key.arn),
            "plaintext": .string(Base64.encode(plaintext)), "encryptionAlgorithm": "AES_GCM",
            "additionalAuthenticatedData": .string(Base64.encode(aad)),
        ]
        switch xksClient(store).call("/keys/\(xksKeyId)/encrypt", body: body, region: context.region) {
        case .success(let answer):
            guard let ciphertext = answer["ciphertext"]?.stringValue.flatMap(Base64.decode),
                let iv = answer["initializationVector"]?.stringValue.flatMap(Base64.decode),
                let tag = answer["authenticationTag"]?.stringValue.flatMap(Base64.decode)
            else { throw AWSError("KMSInvalidStateException", "The external key store proxy sent an invalid response.") }
            let metadata = answer["ciphertextMetadata"]?.stringValue.flatMap(Base64.decode) ?? []
            // Length-prefixed fields, so the inner payload parses back unambiguously.
            var envelope: [UInt8] = [0x01]
            for field in [iv, tag, metadata, ciphertext] {
                envelope += [UInt8(field.count >> 8 & 0xFF), UInt8(field.count & 0xFF)] + field
            }
            return envelope
        case .failure(let failure):
            throw AWSError("KMSInvalidStateException", "\(key.arn): \(failure.description)")
        }
    }

    func xksDecrypt(_ envelope: [UInt8], key: KmsKey, context: RequestContext, aad: [UInt8]) throws(AWSError) -> [UInt8] {
        var fields: [[UInt8]] = []
        var index = 1
        while envelope.first == 0x01, index + 2 <= envelope.count, fields.count < 4 {
            let length = Int(envelope[index]) << 8 | Int(envelope[index + 1])
            index += 2
            guard index + length <= envelope.count else { break }
            fields.append(Array(envelope[index..<(index + length)]))
            index += length
        }
        guard fields.count == 4 else { throw AWSError("InvalidCiphertextException") }
        let (store, xksKeyId) = try xksTarget(key, context)
        var body: [String: JSONValue] = [
            "requestMetadata": XksProxyClient.requestMetadata(context, operation: context.operation, keyArn: key.arn),
            "ciphertext": .string(Base64.encode(fields[3])), "encryptionAlgorithm": "AES_GCM",
            "initializationVector": .string(Base64.encode(fields[0])), "authenticationTag": .string(Base64.encode(fields[1])),
            "additionalAuthenticatedData": .string(Base64.encode(aad)),
        ]
        if !fields[2].isEmpty { body["ciphertextMetadata"] = .string(Base64.encode(fields[2])) }
        switch xksClient(store).call("/keys/\(xksKeyId)/decrypt", body: .object(body), region: context.region) {
        case .success(let answer):
            guard let plaintext = answer["plaintext"]?.stringValue.flatMap(Base64.decode) else {
                throw AWSError("KMSInvalidStateException", "The external key store proxy sent an invalid response.")
            }
            return plaintext
        case .failure(.proxyError(_, let name, _)) where name == "InvalidCiphertextException":
            throw AWSError("InvalidCiphertextException")
        case .failure(let failure):
            throw AWSError("KMSInvalidStateException", "\(key.arn): \(failure.description)")
        }
    }

    private func xksTarget(_ key: KmsKey, _ context: RequestContext) throws(AWSError) -> (KmsCustomKeyStore, String) {
        guard context.mayBlock else { throw AWSError.wouldBlock }
        guard let storeId = key.customKeyStoreId, let xksKeyId = key.xksKeyId,
            let store = try state.read(key.accountId, key.region, { $0.customKeyStores[storeId] })
        else { throw AWSError("KMSInvalidStateException", "\(key.arn) is unavailable.") }
        return (store, xksKeyId)
    }
}
