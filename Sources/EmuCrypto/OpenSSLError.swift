import COpenSSL

/// A failure inside OpenSSL, with the library's own error queue as the message; it is a bug or a bad input
/// key, never something to show a client verbatim.
public struct OpenSSLError: Error, CustomStringConvertible {
    public var operation: String
    public var details: String

    public init(_ operation: String) {
        self.operation = operation
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        details = messages.joined(separator: "; ")
    }

    public var description: String { "\(operation) failed\(details.isEmpty ? "" : ": \(details)")" }

    /// Checks an OpenSSL return code, where 1 (or any positive value) means success.
    public static func check(_ result: Int32, _ operation: @autoclosure () -> String) throws {
        if result <= 0 { throw OpenSSLError(operation()) }
    }
}
