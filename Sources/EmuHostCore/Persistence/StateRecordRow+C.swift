import EmuPluginKit
import PluginABI

extension StateRecordRow {
    /// Copies a record a plugin lends for the duration of a call (a snapshot's), as plugin `plugin`'s.
    init(plugin: String, record: emu_state_record) {
        let copy = StateRecord(record)
        self.init(plugin: plugin, namespace: copy.namespace, key: copy.key, value: copy.value,
                  formatVersion: copy.formatVersion, sequence: 0)
    }

    /// Calls `body` with a borrowed C view of the record, for on_state_load.
    func withCRecord<R>(_ body: (UnsafePointer<emu_state_record>) -> R) -> R {
        StateRecord(namespace: namespace, key: key, value: value ?? [], formatVersion: formatVersion).withCRecord(body)
    }
}
