import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's DRBGs.
public enum SecureRandom {
    /// Random bytes straight from OpenSSL's private DRBG (`RAND_priv_bytes`): for key material and anything else
    /// that must stay secret. OpenSSL keeps that generator apart from the public one that IVs and ids come from,
    /// so what is seen of those says nothing about these.
    public static func bytes(_ count: Int) -> [UInt8] {
        generate(count) { RAND_priv_bytes($0.baseAddress, Int32($0.count)) }
    }

    /// Random bytes for values that are not secret once made (AES-GCM IVs, identifiers), from the public DRBG:
    /// up to `PublicRandomPool.largestServed` bytes from a buffer that `RAND_bytes` refills 4 KiB at a time.
    ///
    /// Every `RAND_bytes` call in OpenSSL 3.0 takes a process-wide write lock (`RAND_get_rand_method`), checks
    /// the process id with a system call and re-keys the DRBG's AES-CTR cipher; on the Encrypt path that was
    /// about 2 µs of a request, and the two event loops queued on the lock. Each byte is handed out once.
    public static func publicBytes(_ count: Int) -> [UInt8] {
        count <= PublicRandomPool.largestServed ? PublicRandomPool.shared.take(count) : generate(count, fill)
    }

    /// `publicBytes` written into `out` (at most `PublicRandomPool.largestServed` bytes).
    public static func publicFill(_ out: UnsafeMutableRawBufferPointer) {
        PublicRandomPool.shared.take(into: out)
    }

    /// Fills `buffer` from the public DRBG (`RAND_bytes`).
    static func fill(_ buffer: UnsafeMutableBufferPointer<UInt8>) -> Int32 {
        RAND_bytes(buffer.baseAddress, Int32(buffer.count))
    }

    /// `count` bytes from `source`, which answers 1 on success as OpenSSL's RAND functions do.
    static func generate(_ count: Int, _ source: (UnsafeMutableBufferPointer<UInt8>) -> Int32) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return out }
        let result = out.withUnsafeMutableBufferPointer { source($0) }
        precondition(result == 1, "OpenSSL's DRBG failed: the system has no entropy source")
        return out
    }
}
