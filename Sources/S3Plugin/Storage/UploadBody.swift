import EmuPluginKit

/// The body of an object upload (PutObject, UploadPart): in memory, or streamed from the file the host spooled
/// it to, unframed on the way when the client sent `aws-chunked`.
enum UploadBody: Sendable {
    /// With the trailer headers of a framed body (an additional checksum).
    case memory([UInt8], trailers: [String: String])
    /// `size` is the plaintext size: the wire length, or `x-amz-decoded-content-length` for a framed body.
    case streamed(RequestBodyStream, framed: Bool, size: Int64)

    /// The largest object S3 takes in one PutObject, and the largest part.
    static let maximumSize: Int64 = 5 * 1024 * 1024 * 1024

    /// The body of `view`: a streamed body keeps streaming; an in-memory one is unframed now.
    /// - Throws: InvalidArgument for broken framing; MissingContentLength for a framed stream that does not say
    ///   its decoded length.
    init(_ view: HTTPRequestView) throws(AWSError) {
        guard let stream = view.bodyStream else {
            let (body, trailers) = try AWSChunked.decodeIfFramed(view.body, headers: view)
            self = .memory(body, trailers: trailers)
            return
        }
        guard AWSChunked.isFramed(view) else {
            self = .streamed(stream, framed: false, size: stream.length)
            return
        }
        guard let text = view.header("x-amz-decoded-content-length"), let size = Int64(text), size >= 0 else {
            throw S3Errors.missingContentLength()
        }
        self = .streamed(stream, framed: true, size: size)
    }

    var size: Int64 {
        switch self {
        case .memory(let bytes, _): return Int64(bytes.count)
        case .streamed(_, _, let size): return size
        }
    }

    /// Seals the body into a new blob, reading a streamed body 1 MiB at a time, and computes `checksums` on the
    /// way; the result carries a framed body's trailers.
    /// - Throws: EntityTooLarge past 5 GiB; IncompleteBody when a stream carries more or fewer bytes than it
    ///   announced; InvalidArgument for broken framing.
    func seal(key: [UInt8], store: BlobStore, checksums: [ChecksumAlgorithm] = []) throws(AWSError) -> SealedBody {
        guard size <= Self.maximumSize else { throw S3Errors.entityTooLarge() }
        guard case .streamed(let stream, let framed, let size) = self else {
            guard case .memory(let bytes, let trailers) = self else { throw S3Errors.internalError() }
            var sealed = try BodySealer.seal(bytes, key: key, store: store, checksums: checksums)
            sealed.trailers = trailers
            return sealed
        }
        let sealer = try BodySealer(size: size, key: key, store: store, checksums: checksums)
        do throws(AWSError) {
            var decoder = framed ? AWSChunked() : nil
            var received: Int64 = 0
            func take(_ piece: ArraySlice<UInt8>) throws(AWSError) {
                received += Int64(piece.count)
                guard received <= size else { throw S3Errors.incompleteBody() }
                try sealer.append(piece)
            }
            while true {
                let piece = try stream.read(maximum: BlobCipher.chunkSize)
                if piece.isEmpty { break }
                if decoder != nil { try decoder!.feed(piece[...], take) } else { try take(piece[...]) }
            }
            var trailers: [String: String] = [:]
            if let decoder {
                guard let decoded = decoder.trailers else { throw AWSChunked.malformed() }
                trailers = decoded
            }
            guard received == size else { throw S3Errors.incompleteBody() }
            var sealed = try sealer.finish()
            sealed.trailers = trailers
            return sealed
        } catch {
            sealer.abandon()
            throw error
        }
    }
}
