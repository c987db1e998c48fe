import EmuPluginKit

/// The host-owned sink behind `emu_response_writer`: what one handler call answered.
///
/// A plugin only ever holds it as an opaque pointer for the duration of the call; the host verbs copy into it.
/// It also collects the state changes the call made, which are kept only if the call succeeds.
public final class ResponseWriter: @unchecked Sendable {
    public struct ErrorReply: Sendable, Equatable {
        public var code: String
        public var message: String
        public var status: UInt32
        /// Further members of the error (respond_error_fields), in the order the plugin gave them.
        public var fields: [AWSErrorField] = []
    }

    public var status: UInt32 = 200
    public var headers: [(String, String)] = []
    public var body: [UInt8] = []
    /// A body the plugin streams (respond_stream) instead of `body`.
    public var stream: ResponseBodyStream?
    public var error: ErrorReply?
    /// The handler was on the event loop and must run again where it may block (EMU_ERR_WOULD_BLOCK).
    public var wouldBlock = false
    /// Records the call handed over with state_put / state_delete, committed only if it succeeds.
    public var stateChanges: [StateRecordRow] = []
    /// Records of bus calls this call made that succeeded: the callee's changes stand (its memory changed) even
    /// if this call fails afterwards, so they are committed either way.
    public var busStateChanges: [StateRecordRow] = []

    /// What to commit for this call: everything if it succeeded, else only its successful bus calls' changes.
    public var changesToCommit: [StateRecordRow] { succeeded ? stateChanges + busStateChanges : busStateChanges }

    /// The ABI minor the answering plugin was built against: what it may mean by a field it passes (ABI 1.5 gave
    /// `Message` a meaning that a 1.4 host dropped); 0 where no plugin answers.
    public let pluginABIMinor: UInt32

    public init(pluginABIMinor: UInt32) {
        self.pluginABIMinor = pluginABIMinor
    }

    public func fail(_ code: String, _ message: String, status: UInt32, fields: [AWSErrorField] = []) {
        error = ErrorReply(code: code, message: message, status: status, fields: fields)
        body = []
        headers = []
        stream?.close()
        stream = nil
    }

    public var succeeded: Bool { error == nil && status < 300 }
}
