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
        let conditions: [String: [String]]?
        let encryptionContext: [String: String]?
        init(_ context: RequestContext, _ conditions: [String: [String]]?, _ encryptionContext: [String: String]?) {
            self.context = context
            self.conditions = conditions
            self.encryptionContext = encryptionContext
        }
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Runs `body` as part of the request `context`, with the request's condition keys and encryption context
    /// for authorization.
    static func with<R>(_ context: RequestContext, conditions: [String: [String]]? = nil,
                        encryptionContext: [String: String]? = nil, _ body: () throws -> R) rethrows -> R {
        let box = Unmanaged.passRetained(Box(context, conditions, encryptionContext))
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
    static var conditions: [String: [String]]? { box?.conditions }
    static var encryptionContext: [String: String]? { box?.encryptionContext }
}
