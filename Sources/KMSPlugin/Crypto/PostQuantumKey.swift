import Crypto

/// ML-DSA and ML-KEM keys, from swift-crypto because OpenSSL 3.0 has no post-quantum algorithms.
///
/// swift-crypto offers ML-DSA-65/87 and ML-KEM-768/1024; ML_DSA_44 and ML_KEM_512 have no implementation on
/// this machine and are refused at CreateKey (see `KeyMaterialFactory`).
enum PostQuantumKey: @unchecked Sendable {
    case mlDsa65(MLDSA65.PrivateKey)
    case mlDsa87(MLDSA87.PrivateKey)
    case mlKem768(MLKEM768.PrivateKey)
    case mlKem1024(MLKEM1024.PrivateKey)

    static func generate(_ spec: KeySpec) throws -> PostQuantumKey? {
        switch spec {
        case .mlDsa65: return .mlDsa65(try MLDSA65.PrivateKey())
        case .mlDsa87: return .mlDsa87(try MLDSA87.PrivateKey())
        case .mlKem768: return .mlKem768(try MLKEM768.PrivateKey())
        case .mlKem1024: return .mlKem1024(try MLKEM1024.PrivateKey())
        default: return nil
        }
    }

    /// The seed that regenerates the key (how it is persisted).
    var seed: [UInt8] {
        switch self {
        case .mlDsa65(let key): return Array(key.seedRepresentation)
        case .mlDsa87(let key): return Array(key.seedRepresentation)
        case .mlKem768(let key): return Array(key.seedRepresentation)
        case .mlKem1024(let key): return Array(key.seedRepresentation)
        }
    }

    static func fromSeed(_ seed: [UInt8], spec: KeySpec) throws -> PostQuantumKey? {
        switch spec {
        case .mlDsa65: return .mlDsa65(try MLDSA65.PrivateKey(seedRepresentation: seed, publicKey: nil))
        case .mlDsa87: return .mlDsa87(try MLDSA87.PrivateKey(seedRepresentation: seed, publicKey: nil))
        case .mlKem768: return .mlKem768(try MLKEM768.PrivateKey(seedRepresentation: seed, publicKey: nil))
        case .mlKem1024: return .mlKem1024(try MLKEM1024.PrivateKey(seedRepresentation: seed, publicKey: nil))
        default: return nil
        }
    }

    /// The raw public key (FIPS 204 / FIPS 203 encoding).
    var rawPublicKey: [UInt8] {
        switch self {
        case .mlDsa65(let key): return Array(key.publicKey.rawRepresentation)
        case .mlDsa87(let key): return Array(key.publicKey.rawRepresentation)
        case .mlKem768(let key): return Array(key.publicKey.rawRepresentation)
        case .mlKem1024(let key): return Array(key.publicKey.rawRepresentation)
        }
    }
}
