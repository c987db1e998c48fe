import PluginABI
import Testing

@testable import EmuHostCore

/// A plugin built against ABI 1.0/1.1 lays out its `emu_service` array without the `flags` field that 1.2
/// appended: the host must read it at the plugin's stride, not its own.
@Suite struct ServiceTableTests {
    @Test func olderStrideIsReadElementByElement() {
        let oldSize = ServiceTable.minimumSize
        #expect(oldSize < MemoryLayout<emu_service>.size)
        let names: [StaticString] = ["alpha", "beta", "gamma"]
        let raw = UnsafeMutableRawPointer.allocate(byteCount: oldSize * names.count, alignment: 16)
        defer { raw.deallocate() }
        for (index, name) in names.enumerated() {
            var service = emu_service()
            service.struct_size = UInt32(oldSize)
            service.id = UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
            service.protocol = EMU_PROTOCOL_REST
            service.flags = 0xFFFF  // beyond the old size: must never be read
            withUnsafeBytes(of: &service) { bytes in
                (raw + index * oldSize).copyMemory(from: bytes.baseAddress!, byteCount: oldSize)
            }
        }
        let table = ServiceTable(raw.assumingMemoryBound(to: emu_service.self), count: names.count)
        #expect(table.isReadable && table.stride == oldSize)
        for index in names.indices {
            let service = table[index]
            #expect(String(cString: service.id) == "\(names[index])")
            #expect(service.protocol == EMU_PROTOCOL_REST)
            #expect(service.flags == 0)
        }
    }

    @Test func tooSmallStrideIsRefused() {
        var service = emu_service()
        service.struct_size = 8
        let table = withUnsafePointer(to: &service) { ServiceTable($0, count: 1) }
        #expect(!table.isReadable)
    }
}
