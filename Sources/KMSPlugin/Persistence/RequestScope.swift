import EmuPluginKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The request a thread is serving, so that a state change deep inside an operation can be handed to the host
/// within that request (state_put needs the request's context) without threading the context through every
/// call. Handlers run synchronously on one thread, which makes a thread-local the honest model.
enum RequestScope {
    private final class Box {
        let context: RequestContext
        let input: JSONValue?
        let reEncryptOnSameKey: Bool?
        init(_ context: RequestContext, _ input: JSONValue?, _ reEncryptOnSameKey: Bool?) {
            self.context = context
            self.input = input
            self.reEncryptOnSameKey = reEncryptOnSameKey
        }
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Runs `body` as part of the request `context`; `input` is kept for authorization, which derives the
    /// request's condition keys from it only when a policy needs them.
    /// - Parameter reEncryptOnSameKey: for ReEncrypt, whether the ciphertext's key is the destination key, which
    ///   only the handler can tell (the request may not name the source key at all); kept apart from `input` so a
    ///   client cannot set it.
    static func with<R>(_ context: RequestContext, input: JSONValue? = nil, reEncryptOnSameKey: Bool? = nil,
                        _ body: () throws -> R) rethrows -> R {
        let box = Unmanaged.passRetained(Box(context, input, reEncryptOnSameKey))
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, box.toOpaque())
        defer {
            pthread_setspecific(key, previous)
            box.release()
        }
        return try body()
    }

    private static var box: Box? {
        guard let pointer = pthread_getspecific(key) else { return nil }
        return Unmanaged<Box>.fromOpaque(pointer).takeUnretainedValue()
    }

    static var current: RequestContext? { box?.context }
    static var input: JSONValue? { box?.input }
    static var reEncryptOnSameKey: Bool? { box?.reEncryptOnSameKey }
}
