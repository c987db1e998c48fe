import COpenSSL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-thread OpenSSL AES-256-GCM contexts that already hold a key's schedule, so that a seal or an open under a
/// recently used key only sets its IV.
///
/// Making a context per call (allocate it, let the provider allocate its own state, expand the key, set up GHASH,
/// free both) was about 1.3 µs of a 16-byte Encrypt, more than the encryption. A context may not be shared between
/// threads, so each thread keeps its own few; the handlers that use them run synchronously on one thread.
///
/// A thread keeps at most `slots` contexts and replaces them in turn. Each slot holds a copy of its key, compared
/// in full before the context is used, so a context is never used under a key it was not made for; and its
/// direction, since some of OpenSSL's hardware paths (s390x's) fix the direction when the key is set.
final class AESGCMContextCache {
    static let slots = 8

    private struct Slot {
        var key: [UInt8]
        var encrypting: Bool
        var context: OpaquePointer
    }

    private var entries: [Slot] = []
    private var nextVictim = 0

    private static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        // The destructor frees a finished thread's contexts (the NIO thread pool's threads come and go).
        pthread_key_create(&key) { pointer in
            guard let pointer else { return }
            Unmanaged<AESGCMContextCache>.fromOpaque(pointer).release()
        }
        return key
    }()

    /// This thread's cache, made on first use.
    static var current: AESGCMContextCache {
        if let pointer = pthread_getspecific(threadKey) {
            return Unmanaged<AESGCMContextCache>.fromOpaque(pointer).takeUnretainedValue()
        }
        let cache = AESGCMContextCache()
        pthread_setspecific(threadKey, Unmanaged.passRetained(cache).toOpaque())
        return cache
    }

    deinit {
        for entry in entries { EVP_CIPHER_CTX_free(entry.context) }
    }

    /// A context keyed with `key` (32 bytes) for one direction, ready for
    /// `EVP_CipherInit_ex2(ctx, nil, nil, iv, encrypting ? 1 : 0, nil)`.
    func context(for key: [UInt8], encrypting: Bool, cipher: OpaquePointer) throws -> OpaquePointer {
        for entry in entries where entry.encrypting == encrypting && entry.key == key { return entry.context }
        guard let context = EVP_CIPHER_CTX_new() else { throw OpenSSLError("EVP_CIPHER_CTX_new") }
        guard EVP_CipherInit_ex2(context, cipher, key, nil, encrypting ? 1 : 0, nil) == 1 else {
            EVP_CIPHER_CTX_free(context)
            throw OpenSSLError("EVP_CipherInit_ex2")
        }
        let slot = Slot(key: key, encrypting: encrypting, context: context)
        if entries.count < Self.slots {
            entries.append(slot)
        } else {
            EVP_CIPHER_CTX_free(entries[nextVictim].context)
            entries[nextVictim] = slot
            nextVictim = (nextVictim + 1) % Self.slots
        }
        return context
    }

    /// Forgets a context that failed mid-use, so that no later call meets it in an unknown state.
    func discard(_ context: OpaquePointer) {
        guard let index = entries.firstIndex(where: { $0.context == context }) else { return }
        EVP_CIPHER_CTX_free(entries[index].context)
        entries.remove(at: index)
        nextVictim = 0
    }
}
