import PluginABI

/// The check a plugin's response header passes before the host writes it: a name that is an HTTP token and a
/// value without CR, LF or NUL, so no plugin can split a response or smuggle a header. It runs once per header a
/// plugin adds, where NIO's outbound validator (turned off in the pipeline) would scan every header of every
/// response.
enum ResponseHeaderCheck {
    static func isSafe(name: emu_str, value: emu_str) -> Bool {
        guard name.len > 0, let namePointer = name.ptr else { return false }
        let nameBytes = UnsafeRawBufferPointer(start: namePointer, count: name.len)
        guard nameBytes.allSatisfy(isTokenByte) else { return false }
        guard value.len > 0, let valuePointer = value.ptr else { return true }
        return !UnsafeRawBufferPointer(start: valuePointer, count: value.len).contains { $0 == 0 || $0 == 10 || $0 == 13 }
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
