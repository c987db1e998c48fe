import Glibc
import NIOCore
import Testing
@testable import EmuHostCore

/// The gateway's one-submission sends (io_uring), on socket pairs: every socket gets exactly its own bytes, a
/// socket without room or without a reader answers at once with what it took or an error, and nothing waits.
/// Skipped where the kernel refuses io_uring (the gateway then writes through NIO, as the compat tests check).
@Suite(.enabled(if: BatchedSender() != nil, "the kernel refuses io_uring here"))
struct BatchedSenderTests {
    /// A connected stream socket pair: the first end is sent to, the second read from.
    private static func pair() throws -> (Int32, Int32) {
        var ends: [Int32] = [0, 0]
        let status = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &ends)
        try #require(status == 0)
        return (ends[0], ends[1])
    }

    private static func buffer(_ bytes: [UInt8]) -> ByteBuffer {
        ByteBufferAllocator().buffer(bytes: bytes)
    }

    /// Everything waiting on `descriptor`, without blocking.
    private static func drain(_ descriptor: Int32) -> [UInt8] {
        var all: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(descriptor, &chunk, chunk.count)
            if count <= 0 { return all }
            all += chunk[0..<count]
        }
    }

    @Test func eachSocketGetsItsOwnBytes() throws {
        let sender = try #require(BatchedSender())
        let pairs = try (0..<10).map { _ in try Self.pair() }
        defer { for (a, b) in pairs { close(a); close(b) } }
        // Lengths from empty to larger than the sender's first scratch buffer, so it also grows.
        let payloads = (0..<10).map { index in
            (0..<(index * index * 300)).map { UInt8(truncatingIfNeeded: $0 * 31 + index) }
        }
        let results = sender.send(zip(pairs, payloads).map { ($0.0.0, Self.buffer($0.1)) })
        #expect(results == payloads.map { Int32($0.count) })
        for ((_, reader), payload) in zip(pairs, payloads) {
            #expect(Self.drain(reader) == payload)
        }
        #expect(!sender.isBroken)
    }

    @Test func aSocketWithoutRoomAnswersAtOnce() throws {
        let sender = try #require(BatchedSender())
        let (full, reader) = try Self.pair()
        let (other, otherReader) = try Self.pair()
        defer { for descriptor in [full, reader, other, otherReader] { close(descriptor) } }
        var small: Int32 = 4096
        setsockopt(full, SOL_SOCKET, SO_SNDBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        let big = [UInt8](repeating: 7, count: 1 << 20)
        let first = sender.send([(full, Self.buffer(big)), (other, Self.buffer([1, 2, 3]))])
        // Part of the megabyte went out, not all of it; the other socket is not held up by it.
        #expect(first[0] > 0 && first[0] < Int32(big.count))
        #expect(first[1] == 3)
        // Nothing fits any more: EAGAIN, not a wait for the reader.
        let second = sender.send([(full, Self.buffer([9]))])
        #expect(second == [-EAGAIN])
        #expect(Self.drain(reader).count == Int(first[0]))
        #expect(Self.drain(otherReader) == [1, 2, 3])
        #expect(!sender.isBroken)
    }

    @Test func aSocketWhosePeerIsGoneFailsAloneWithoutSIGPIPE() throws {
        let sender = try #require(BatchedSender())
        let (orphan, gone) = try Self.pair()
        let (live, reader) = try Self.pair()
        defer { for descriptor in [orphan, live, reader] { close(descriptor) } }
        close(gone)
        let results = sender.send([(orphan, Self.buffer([1])), (-1, Self.buffer([2])), (live, Self.buffer([3]))])
        #expect(results == [-EPIPE, -EBADF, 1])
        #expect(Self.drain(reader) == [3])
        #expect(!sender.isBroken)
    }

    @Test func batchesFollowEachOtherOnOneRing() throws {
        let sender = try #require(BatchedSender())
        let (writer, reader) = try Self.pair()
        defer { close(writer); close(reader) }
        var expected: [UInt8] = []
        for round in 0..<200 {
            let answers = (0..<BatchedSender.batchLimit).map { index in
                (Int32(-1), Self.buffer([UInt8(truncatingIfNeeded: index)]))
            } + [(writer, Self.buffer([UInt8(truncatingIfNeeded: round)]))]
            let results = sender.send(Array(answers.suffix(BatchedSender.batchLimit)))
            #expect(results.last == 1)
            expected.append(UInt8(truncatingIfNeeded: round))
        }
        #expect(Self.drain(reader) == expected)
        #expect(!sender.isBroken)
    }
}
