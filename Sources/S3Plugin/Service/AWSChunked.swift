import EmuPluginKit
import Foundation

/// Removes the `aws-chunked` framing some SDKs put around upload bodies (SigV4 streaming signatures,
/// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`, and unsigned payloads with trailing checksums): chunks of
/// `<hex size>[;chunk-signature=…]\r\n<data>\r\n`, ended by a zero-size chunk and optional trailer headers.
enum AWSChunked {
    /// The decoded body when the request says it is framed, else the body as it came.
    static func decodeIfFramed(_ body: [UInt8], headers: HTTPRequestView) throws(AWSError) -> [UInt8] {
        let sha = headers.header("x-amz-content-sha256") ?? ""
        let encoding = headers.header("Content-Encoding")?.lowercased() ?? ""
        guard sha.hasPrefix("STREAMING-") || encoding.contains("aws-chunked") else { return body }
        guard let decoded = decode(body) else {
            throw S3Errors.invalidArgument("The aws-chunked request body is not correctly framed.")
        }
        return decoded
    }

    static func decode(_ body: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var index = 0
        while index < body.count {
            guard let lineEnd = findCRLF(body, from: index) else { return nil }
            let line = body[index..<lineEnd]
            let sizeText = String(decoding: line.prefix { $0 != UInt8(ascii: ";") }, as: UTF8.self)
                .trimmingCharacters(in: .whitespaces)
            guard let size = Int(sizeText, radix: 16), size >= 0 else { return nil }
            index = lineEnd + 2
            if size == 0 { return out }
            guard size <= body.count - index else { return nil }
            out.append(contentsOf: body[index..<index + size])
            index += size
            guard index + 2 <= body.count, body[index] == 0x0D, body[index + 1] == 0x0A else { return nil }
            index += 2
        }
        return nil
    }

    private static func findCRLF(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == 0x0D, bytes[index + 1] == 0x0A { return index }
            index += 1
        }
        return nil
    }
}
