#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error in words a user can act on. FoundationEssentials' `CocoaError` prints as a structure dump, so a failed
/// file operation (a missing seed file, a DATA_DIR under a file) is said as the path and the system's reason:
/// `/nope/seed.yaml: No such file or directory`.
public enum SystemErrorText {
    /// - Parameter path: the path the caller's message already names; left out when the error is about it.
    public static func describe(_ error: any Error, besides path: String? = nil) -> String {
        guard let cocoa = error as? CocoaError else { return "\(error)" }
        let cause = (cocoa.underlying as? POSIXError).map { String(cString: strerror($0.code.rawValue)) }
        let file = cocoa.filePath == path ? nil : cocoa.filePath
        return [file, cause ?? "\(cocoa.code)"].compactMap { $0 }.joined(separator: ": ")
    }
}
