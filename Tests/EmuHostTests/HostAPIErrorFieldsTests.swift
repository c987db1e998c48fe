import EmuPluginKit
import PluginABI
import Testing

@testable import EmuHostCore

/// respond_error_fields through the host's real C table: which names it keeps, and that `Message` is an
/// instruction only to a plugin built for ABI 1.5 or later.
@Suite struct HostAPIErrorFieldsTests {
    private func respond(pluginABIMinor: UInt32, _ fields: [(String, String)]) -> ResponseWriter {
        let writer = ResponseWriter(pluginABIMinor: pluginABIMinor)
        let pointer = OpaquePointer(Unmanaged.passUnretained(writer).toOpaque())
        withEmuString("ResourceNotFoundException") { code in
            withEmuString("gone") { message in
                withEmuHeaders(fields) { buffer in
                    HostAPITable.pointer.pointee.respond_error_fields(pointer, code, message, 400, buffer.baseAddress,
                                                                      buffer.count)
                }
            }
        }
        return writer
    }

    @Test func messageInstructionFromAPlugin15() {
        let writer = respond(pluginABIMinor: 5, [("Message", "gone"), ("Reason", "R"), ("Not A Name", "x")])
        #expect(writer.error?.fields == [AWSErrorField("Message", "gone"), AWSErrorField("Reason", "R")])
    }

    /// To a plugin of 1.4 `Message` was a reserved name the host drops; it keeps that meaning for it.
    @Test func messageIsReservedForAnOlderPlugin() {
        let writer = respond(pluginABIMinor: 4, [("Message", "gone"), ("Reason", "R")])
        #expect(writer.error?.fields == [AWSErrorField("Reason", "R")])
    }

    /// Other spellings stay reserved for everyone.
    @Test func otherSpellingsStayReserved() {
        let writer = respond(pluginABIMinor: 5, [("message", "x"), ("MESSAGE", "y")])
        #expect(writer.error?.fields == [])
    }
}
