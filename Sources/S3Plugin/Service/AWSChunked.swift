import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Removes the `aws-chunked` framing some SDKs put around upload bodies (SigV4 streaming signatures,
/// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`, and unsigned payloads with trailing checksums): chunks of
/// `<hex size>[;chunk-signature=…]\r\n<data>\r\n`, ended by a zero-size chunk and optional trailer headers.
///
/// A decoder that is fed the body piece by piece, so a streamed upload is unframed without holding it.
struct AWSChunked {
    /// Whether the request says its body is framed.
    static func isFramed(_ headers: HTTPRequestView) -> Bool {
        let sha = headers.header("x-amz-content-sha256") ?? ""
        let encoding = headers.header("Content-Encoding")?.lowercased() ?? ""
        return sha.hasPrefix("STREAMING-") || encoding.contains("aws-chunked")
    }

    /// The decoded body and its trailer headers when the request says it is framed, else the body as it came.
    static func decodeIfFramed(_ body: [UInt8], headers: HTTPRequestView) throws(AWSError)
        -> (body: [UInt8], trailers: [String: String])
    {
        guard isFramed(headers) else { return (body, [:]) }
        guard let decoded = decode(body) else { throw malformed() }
        return decoded
    }

    static func decode(_ body: [UInt8]) -> (body: [UInt8], trailers: [String: String])? {
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var decoder = AWSChunked()
        guard (try? decoder.feed(body[...], { piece throws(AWSError) in out.append(contentsOf: piece) })) != nil,
            decoder.isComplete, let trailers = decoder.trailers
        else { return nil }
        return (out, trailers)
    }

    static func malformed() -> AWSError {
        S3Errors.invalidArgument("The aws-chunked request body is not correctly framed.")
    }

    private enum State {
        /// Reading a chunk's size line, up to CRLF.
        case sizeLine
        /// Inside a chunk's data, this many bytes to go.
        case data(Int)
        /// Expecting the CRLF after a chunk's data; the count says how many of its two bytes were seen.
        case dataEnd(Int)
        /// After the zero-size chunk: trailer headers (a checksum, its signature), kept in `trailerBytes`.
        case trailers
    }

    private var state = State.sizeLine
    private var line: [UInt8] = []
    private var trailerBytes: [UInt8] = []
    /// The longest size line accepted (hex size plus a chunk signature, with room to spare); the trailer section
    /// may be as long.
    private static let maximumLineBytes = 4096

    /// The trailer headers by lower-cased name (`x-amz-checksum-crc32`), once the body is complete; nil when a
    /// trailer line is not `name:value`.
    var trailers: [String: String]? {
        guard isComplete else { return nil }
        var headers: [String: String] = [:]
        for line in trailerBytes.split(separator: 0x0A) {
            let text = String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
            if text.isEmpty { continue }
            guard let colon = text.firstIndex(of: ":") else { return nil }
            headers[text[..<colon].trimmingSpaces().lowercased()] = text[text.index(after: colon)...].trimmingSpaces()
        }
        return headers
    }

    /// Whether the final zero-size chunk has been seen.
    var isComplete: Bool {
        if case .trailers = state { return true }
        return false
    }

    /// Decodes the next bytes of the framed body, passing each run of data to `emit`.
    /// - Throws: InvalidArgument for broken framing; whatever `emit` throws.
    mutating func feed(_ bytes: ArraySlice<UInt8>, _ emit: (ArraySlice<UInt8>) throws(AWSError) -> Void)
        throws(AWSError)
    {
        var rest = bytes
        while !rest.isEmpty {
            switch state {
            case .sizeLine:
                guard let newline = rest.firstIndex(of: 0x0A) else {
                    line.append(contentsOf: rest)
                    rest = []
                    guard line.count <= Self.maximumLineBytes else { throw Self.malformed() }
                    continue
                }
                line.append(contentsOf: rest[..<newline])
                rest = rest[(newline + 1)...]
                guard line.last == 0x0D, line.count <= Self.maximumLineBytes else { throw Self.malformed() }
                let sizeText = String(decoding: line.dropLast().prefix { $0 != UInt8(ascii: ";") }, as: UTF8.self)
                    .trimmingSpaces()
                line.removeAll(keepingCapacity: true)
                guard !sizeText.isEmpty, sizeText.count <= 15, let size = Int(sizeText, radix: 16), size >= 0 else {
                    throw Self.malformed()
                }
                state = size == 0 ? .trailers : .data(size)
            case .data(let remaining):
                let take = min(remaining, rest.count)
                try emit(rest.prefix(take))
                rest = rest.dropFirst(take)
                state = remaining == take ? .dataEnd(0) : .data(remaining - take)
            case .dataEnd(let seen):
                guard rest.first == (seen == 0 ? 0x0D : 0x0A) else { throw Self.malformed() }
                rest = rest.dropFirst()
                state = seen == 0 ? .dataEnd(1) : .sizeLine
            case .trailers:
                trailerBytes.append(contentsOf: rest)
                rest = []
                guard trailerBytes.count <= Self.maximumLineBytes else { throw Self.malformed() }
            }
        }
    }
}
