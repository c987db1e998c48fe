import EmuPluginKit
import PluginABI

extension StateRecordRow {
    /// Calls `body` with a borrowed C view of the record, for on_state_load.
    func withCRecord<R>(_ body: (UnsafePointer<emu_state_record>) -> R) -> R {
        StateRecord(namespace: namespace, key: key, value: value ?? [], formatVersion: formatVersion).withCRecord(body)
    }
}
