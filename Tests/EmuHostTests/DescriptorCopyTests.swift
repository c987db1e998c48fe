import PluginABI
import Testing

@testable import EmuHostCore

/// A plugin built against ABI 1.0–1.2 has a descriptor that ends at on_tick: the host accepts it, and reads the
/// on_state_snapshot hook that 1.3 appended as absent instead of reading past the plugin's struct.
@Suite struct DescriptorCopyTests {
    @Test func olderDescriptorReadsTheAppendedHookAsAbsent() throws {
        let oldSize = LoadedPlugin.minimumDescriptorSize
        #expect(oldSize < MemoryLayout<emu_plugin_descriptor>.size)
        var full = emu_plugin_descriptor()
        full.struct_size = UInt32(oldSize)
        full.abi_major = EMU_ABI_MAJOR
        full.state_format_version = 7
        full.on_state_snapshot = { _, _, _ in EMU_OK }  // beyond the old size: must never be read
        // Only the old size is the plugin's: the rest of the buffer belongs to something else.
        let raw = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<emu_plugin_descriptor>.size, alignment: 16)
        defer { raw.deallocate() }
        withUnsafeBytes(of: &full) { raw.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        let copy = try #require(LoadedPlugin.readDescriptor(raw.assumingMemoryBound(to: emu_plugin_descriptor.self)))
        #expect(copy.struct_size == UInt32(oldSize))
        #expect(copy.state_format_version == 7)
        #expect(copy.on_state_snapshot == nil)
    }

    @Test func currentDescriptorKeepsTheSnapshotHook() {
        var full = emu_plugin_descriptor()
        full.struct_size = UInt32(MemoryLayout<emu_plugin_descriptor>.size)
        full.on_state_snapshot = { _, _, _ in EMU_OK }
        let copy = withUnsafePointer(to: &full) { LoadedPlugin.readDescriptor($0) }
        #expect(copy?.on_state_snapshot != nil)
    }

    @Test func descriptorSmallerThanABI10IsNotRead() {
        var small = emu_plugin_descriptor()
        small.struct_size = UInt32(MemoryLayout<emu_plugin_descriptor>.offset(of: \emu_plugin_descriptor.on_init)!)
        #expect(withUnsafePointer(to: &small) { LoadedPlugin.readDescriptor($0) } == nil)
    }
}
