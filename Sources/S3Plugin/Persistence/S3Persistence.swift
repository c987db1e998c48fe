import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Hands changed records to the host (state_put / state_delete) within the request that changed them, and reads
/// them back at start-up (on_state_load). Format version 3 (2 added tags, lifecycle and CORS rules, 3 versioning and
/// the `version` records, which a plugin of an older format would drop), JSON values:
///
/// | namespace  | key                     | value            |
/// |------------|-------------------------|------------------|
/// | `bucket`   | bucket name             | `Bucket`         |
/// | `object`   | `<bucket>/<key>`        | `S3Object`: the key's current object |
/// | `version`  | `<bucket>/<version id>/<key>` | `S3Object`: one of its other versions or delete markers (their `sequence` orders them) |
/// | `upload`   | upload id               | `MultipartUpload`|
/// | `part`     | `<upload id>/<number>`  | `UploadedPart`   |
/// | `host-key` | `sse-s3`                | the SSE-S3 master key (see `HostKeyring`) |
///
/// Records hold metadata and wrapped data keys only; bodies are sealed blobs in `DATA_DIR/s3/blobs/`.
enum S3Persistence {
    static let formatVersion: UInt32 = 3

    static func putRecord(_ context: RequestContext, namespace: String, key: String, value: [UInt8]) throws(AWSError) {
        guard let host = PluginHost.current, host.persistenceEnabled else { return }
        do {
            try host.statePut(context, namespace: namespace, key: key, value: value)
        } catch {
            throw S3Errors.internalError()
        }
    }

    /// Records the new state of one record (nil: deleted). A no-op when persistence is off.
    static func record<T: Encodable>(_ context: RequestContext, namespace: String, key: String, _ value: T?)
        throws(AWSError)
    {
        guard let host = PluginHost.current, host.persistenceEnabled else { return }
        guard let value else {
            do {
                try host.stateDelete(context, namespace: namespace, key: key)
            } catch {
                throw S3Errors.internalError()
            }
            return
        }
        let data: Data
        do {
            data = try JSONEncoder().encode(value)
        } catch {
            host.error("record \(namespace)/\(key) could not be encoded: \(error)")
            throw S3Errors.internalError()
        }
        try putRecord(context, namespace: namespace, key: key, value: Array(data))
    }

    static func bucket(_ context: RequestContext, _ name: String, _ bucket: Bucket?) throws(AWSError) {
        try record(context, namespace: "bucket", key: name, bucket)
    }

    static func object(_ context: RequestContext, bucket: String, key: String, _ object: S3Object?) throws(AWSError) {
        try record(context, namespace: "object", key: "\(bucket)/\(key)", object)
    }

    static func version(_ context: RequestContext, bucket: String, key: String, id: String, _ version: S3Object?)
        throws(AWSError)
    {
        try record(context, namespace: "version", key: "\(bucket)/\(id)/\(key)", version)
    }

    static func upload(_ context: RequestContext, _ id: String, _ upload: MultipartUpload?) throws(AWSError) {
        try record(context, namespace: "upload", key: id, upload)
    }

    static func part(_ context: RequestContext, uploadId: String, number: Int, _ part: UploadedPart?) throws(AWSError) {
        try record(context, namespace: "part", key: "\(uploadId)/\(number)", part)
    }

    /// Restores one stored record. Returns false for a record this plugin cannot read, which stops the host from
    /// starting with part of its state missing.
    static func load(_ record: StateRecord, into store: S3Store, keyring: HostKeyring) -> Bool {
        let host = PluginHost.current
        guard record.formatVersion <= formatVersion else {
            host?.error("record \(record.namespace)/\(record.key) has format \(record.formatVersion), newer than "
                + "this plugin's \(formatVersion)")
            return false
        }
        let data = Data(record.value)
        let decoder = JSONDecoder()
        do {
            switch record.namespace {
            case "bucket":
                let bucket = try decoder.decode(Bucket.self, from: data)
                store.restore { $0.buckets[bucket.name] = bucket }
            case "object":
                let object = try decoder.decode(S3Object.self, from: data)
                store.restore { state in
                    state.objects[object.bucket, default: [:]][object.key] = object
                    state.lastSequence = max(state.lastSequence, object.sequence ?? 0)
                }
            case "version":
                let version = try decoder.decode(S3Object.self, from: data)
                store.restore { $0.restoreVersion(version) }
            case "upload":
                let upload = try decoder.decode(MultipartUpload.self, from: data)
                store.restore { state in
                    state.uploads[upload.uploadId] = upload
                    state.lastSequence = max(state.lastSequence, upload.sequence ?? 0)
                }
            case "part":
                let part = try decoder.decode(UploadedPart.self, from: data)
                store.restore { $0.parts[part.uploadId, default: [:]][part.partNumber] = part }
            case HostKeyring.namespace:
                guard keyring.load(record.value) else {
                    host?.error("the SSE-S3 host key record cannot be read")
                    return false
                }
            default:
                host?.error("unknown S3 record namespace \(record.namespace)")
                return false
            }
            return true
        } catch {
            host?.error("S3 record \(record.namespace)/\(record.key) could not be read: \(error)")
            return false
        }
    }
}
