/// The 20 key specs of the current KMS API, with what each one can do.
///
/// Everything AWS derives from the spec (which usages are valid, which algorithms DescribeKey lists) is
/// derived here once, so operations never hard-code pairings.
enum KeySpec: String, CaseIterable, Sendable, Codable {
    case symmetricDefault = "SYMMETRIC_DEFAULT"
    case rsa2048 = "RSA_2048", rsa3072 = "RSA_3072", rsa4096 = "RSA_4096"
    case eccNistP256 = "ECC_NIST_P256", eccNistP384 = "ECC_NIST_P384", eccNistP521 = "ECC_NIST_P521"
    case eccSecgP256k1 = "ECC_SECG_P256K1"
    case eccNistEdwards25519 = "ECC_NIST_EDWARDS25519"
    case hmac224 = "HMAC_224", hmac256 = "HMAC_256", hmac384 = "HMAC_384", hmac512 = "HMAC_512"
    case sm2 = "SM2"
    case mlDsa44 = "ML_DSA_44", mlDsa65 = "ML_DSA_65", mlDsa87 = "ML_DSA_87"
    case mlKem512 = "ML_KEM_512", mlKem768 = "ML_KEM_768", mlKem1024 = "ML_KEM_1024"

    var isRSA: Bool { self == .rsa2048 || self == .rsa3072 || self == .rsa4096 }
    var isNISTCurve: Bool { self == .eccNistP256 || self == .eccNistP384 || self == .eccNistP521 }
    var isHMAC: Bool { self == .hmac224 || self == .hmac256 || self == .hmac384 || self == .hmac512 }
    var isMLDSA: Bool { self == .mlDsa44 || self == .mlDsa65 || self == .mlDsa87 }
    var isMLKEM: Bool { self == .mlKem512 || self == .mlKem768 || self == .mlKem1024 }
    var isAsymmetric: Bool { self != .symmetricDefault && !isHMAC }

    /// The usages AWS accepts with this spec, the first being what AWS picks when KeyUsage is omitted.
    var allowedUsages: [KeyUsage] {
        switch self {
        case .symmetricDefault: return [.encryptDecrypt]
        case .rsa2048, .rsa3072, .rsa4096: return [.encryptDecrypt, .signVerify]
        case .eccNistP256, .eccNistP384, .eccNistP521: return [.signVerify, .keyAgreement]
        case .eccSecgP256k1: return [.signVerify]
        case .eccNistEdwards25519: return [.signVerify]
        case .hmac224, .hmac256, .hmac384, .hmac512: return [.generateVerifyMac]
        case .sm2: return [.encryptDecrypt, .signVerify, .keyAgreement]
        case .mlDsa44, .mlDsa65, .mlDsa87: return [.signVerify]
        case .mlKem512, .mlKem768, .mlKem1024: return [.encapsulateDecapsulate]
        }
    }

    func encryptionAlgorithms(for usage: KeyUsage) -> [String]? {
        guard usage == .encryptDecrypt else { return nil }
        switch self {
        case .symmetricDefault: return ["SYMMETRIC_DEFAULT"]
        case .rsa2048, .rsa3072, .rsa4096: return ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
        case .sm2: return ["SM2PKE"]
        default: return nil
        }
    }

    func signingAlgorithms(for usage: KeyUsage) -> [String]? {
        guard usage == .signVerify else { return nil }
        switch self {
        case .rsa2048, .rsa3072, .rsa4096:
            return ["RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512", "RSASSA_PKCS1_V1_5_SHA_256",
                    "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512"]
        case .eccNistP256, .eccSecgP256k1: return ["ECDSA_SHA_256"]
        case .eccNistP384: return ["ECDSA_SHA_384"]
        case .eccNistP521: return ["ECDSA_SHA_512"]
        case .eccNistEdwards25519: return ["ED25519_SHA_512", "ED25519_PH_SHA_512"]
        case .sm2: return ["SM2DSA"]
        case .mlDsa44, .mlDsa65, .mlDsa87: return ["ML_DSA_SHAKE_256"]
        default: return nil
        }
    }

    func macAlgorithms(for usage: KeyUsage) -> [String]? {
        guard usage == .generateVerifyMac else { return nil }
        switch self {
        case .hmac224: return ["HMAC_SHA_224"]
        case .hmac256: return ["HMAC_SHA_256"]
        case .hmac384: return ["HMAC_SHA_384"]
        case .hmac512: return ["HMAC_SHA_512"]
        default: return nil
        }
    }

    func keyAgreementAlgorithms(for usage: KeyUsage) -> [String]? {
        usage == .keyAgreement ? ["ECDH"] : nil
    }

    /// The HMAC key length in bytes: AWS's HMAC_<n> keys hold n bits of material.
    var hmacKeyLength: Int {
        switch self {
        case .hmac224: return 28
        case .hmac256: return 32
        case .hmac384: return 48
        case .hmac512: return 64
        default: return 0
        }
    }
}

/// What a key is for.
enum KeyUsage: String, CaseIterable, Sendable, Codable {
    case encryptDecrypt = "ENCRYPT_DECRYPT"
    case signVerify = "SIGN_VERIFY"
    case generateVerifyMac = "GENERATE_VERIFY_MAC"
    case keyAgreement = "KEY_AGREEMENT"
    case encapsulateDecapsulate = "ENCAPSULATE_DECAPSULATE"
}

/// AWS's key states (the key-state table decides what each allows).
enum KeyState: String, Sendable, Codable {
    case creating = "Creating"
    case enabled = "Enabled"
    case disabled = "Disabled"
    case pendingDeletion = "PendingDeletion"
    case pendingImport = "PendingImport"
    case pendingReplicaDeletion = "PendingReplicaDeletion"
    case unavailable = "Unavailable"
    case updating = "Updating"

    /// Waiting to be deleted: its own window, or a multi-Region primary's wait for its replicas.
    var isPendingDeletion: Bool { self == .pendingDeletion || self == .pendingReplicaDeletion }
}

/// Where the key material came from.
enum KeyOrigin: String, Sendable, Codable {
    case awsKMS = "AWS_KMS"
    case external = "EXTERNAL"
    case awsCloudHSM = "AWS_CLOUDHSM"
    case externalKeyStore = "EXTERNAL_KEY_STORE"
}
