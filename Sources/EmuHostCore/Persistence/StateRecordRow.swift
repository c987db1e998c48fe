/// One stored record as the host keeps it: which plugin owns it, the plugin's namespace and key, the bytes and
/// the plugin's state format version when it was written. A nil value is a deletion.
public struct StateRecordRow: Sendable, Equatable, Codable {
    public var plugin: String
    public var namespace: String
    public var key: String
    public var value: [UInt8]?
    public var formatVersion: UInt32
    /// Host-wide order of changes: a record is only replaced by a newer change, so two requests that finish
    /// out of order cannot leave the older value behind.
    public var sequence: UInt64
}
