import EmuCrypto
import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// The host-managed key behind SSE-S3: a random 256-bit master key that wraps each object's data key.
///
/// Emulator-only: real S3 keeps its SSE-S3 keys in its own key hierarchy; here the master key is a record of
/// this plugin (namespace `host-key`), stored through the host like any other record, so with PERSISTENCE=1 it
/// lies in the state database (encrypted there only when STATE_ENCRYPTION_KEY is set). What it buys is that no
/// object body is ever stored in clear; it is not a defence against someone who holds the whole DATA_DIR.
///
/// The record is written again with every change that wraps a key under it: a request that created the key
/// but then failed would otherwise leave later objects sealed under a key that no stored record holds.
final class HostKeyring: Sendable {
    static let namespace = "host-key"
    static let recordKey = "sse-s3"

    private let master = LockedBox<[UInt8]?>(nil)

    /// The master key, made on first use; its record is handed to the host within `context`'s request.
    func masterKey(recordingIn context: RequestContext) throws(AWSError) -> [UInt8] {
        let key = master.withLock { stored -> [UInt8] in
            if let stored { return stored }
            let fresh = SecureRandom.bytes(32)
            stored = fresh
            return fresh
        }
        try S3Persistence.putRecord(context, namespace: Self.namespace, key: Self.recordKey,
                                    value: Self.encode(key))
        return key
    }

    /// The master key if one exists (reading needs no new key).
    var existingKey: [UInt8]? { master.withLock { $0 } }

    /// Wraps a data key for the object `arn`, which is bound as associated data.
    func wrap(_ dataKey: [UInt8], arn: String, context: RequestContext) throws(AWSError) -> String {
        let key = try masterKey(recordingIn: context)
        do {
            return Base64.encode(try AESGCM.sealCombined(key: key, plaintext: dataKey, aad: Self.associatedData(arn)))
        } catch {
            PluginHost.current?.error("wrapping an SSE-S3 data key failed: \(error)")
            throw S3Errors.internalError()
        }
    }

    /// Unwraps the data key of the object `arn`.
    /// - Throws: InternalError when there is no master key or the wrapped key does not open.
    func unwrap(_ wrapped: String, arn: String) throws(AWSError) -> [UInt8] {
        guard let key = existingKey, let bytes = Base64.decode(wrapped),
            bytes.count == AESGCM.ivLength + 32 + AESGCM.tagLength
        else {
            PluginHost.current?.error("the SSE-S3 data key of \(arn) cannot be unwrapped: no host key or a bad record")
            throw S3Errors.internalError()
        }
        let opened = try? AESGCM.openCombined(key: key, bytes, aad: Self.associatedData(arn))
        guard let dataKey = opened else {
            PluginHost.current?.error("the SSE-S3 data key of \(arn) does not authenticate under the host key")
            throw S3Errors.internalError()
        }
        return dataKey
    }

    /// Restores the stored master key at start-up; false for a record that is not one.
    func load(_ value: [UInt8]) -> Bool {
        guard let object = try? JSONValue.parse(value), let text = object["key"]?.stringValue,
            let key = Base64.decode(text), key.count == 32
        else { return false }
        master.withLock { $0 = key }
        return true
    }

    private static func associatedData(_ arn: String) -> [UInt8] { Array("awsemu-s3-sse-s3-v1\n\(arn)".utf8) }

    private static func encode(_ key: [UInt8]) -> [UInt8] {
        let record: JSONValue = [
            "key": .string(Base64.encode(key)),
            "note": "awsemu emulator-only SSE-S3 master key; not an AWS key",
        ]
        return record.serialized()
    }
}
