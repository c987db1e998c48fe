import CURing
import NIOCore

/// Sends the answers one event-loop pass made to several connections with a single system call (io_uring).
///
/// Written one `write` at a time, the first answer of a pass woke a client that was waiting for it, and on a
/// machine whose cores the clients share the kernel then switched to that client at once, when `write` returned:
/// the next answer went out only after the client had run, and woke it again. Under load that was one context
/// switch per answer, a third of the host's CPU time per request. Submitted together, every answer is in its
/// socket before anything the batch woke can run.
///
/// A send never waits for room (see `emu_uring_send_batch`): whatever a socket could not take is handed back, and
/// the caller writes it through NIO, which waits for the socket to drain. Used only on its event loop's thread.
final class BatchedSender {
    /// Submission queue entries: a pass with more answers than this sends them in several batches.
    static let batchLimit = Int(EMU_URING_BATCH_LIMIT)
    /// Larger answers (S3 objects, big pipelined runs) are written through NIO: copying them here gains nothing, and
    /// the copy would keep its memory.
    static let largestAnswer = 64 * 1024
    /// The copy's buffer starts at this size and goes back to it after a batch that needed more than
    /// `retainedScratchBytes`.
    private static let initialScratchBytes = 16 * 1024
    private static let retainedScratchBytes = 256 * 1024

    private let ring: UnsafeMutablePointer<io_uring>
    /// The answers' bytes, copied next to each other: the ring needs their addresses all at once.
    private var scratch: UnsafeMutableRawBufferPointer
    private var descriptors: [Int32] = []
    private var addresses: [UnsafeRawPointer?] = []
    private var lengths: [UInt32] = []
    private var results: [Int32] = []
    /// The ring failed to take a batch: every later answer goes through NIO, and the ring and the copy are never
    /// touched again (a send of the failed batch may, in theory, still read the copy).
    private(set) var isBroken = false

    /// nil when the kernel refuses io_uring (`kernel.io_uring_disabled`, a container's seccomp profile, as
    /// Docker's default one, or a kernel older than 5.18): the gateway then writes every answer through NIO.
    init?() {
        ring = .allocate(capacity: 1)
        guard emu_uring_setup(ring) == 0 else {
            ring.deallocate()
            return nil
        }
        scratch = .allocate(byteCount: Self.initialScratchBytes, alignment: 16)
    }

    deinit {
        // A broken ring's copy is left alone: see `isBroken`.
        guard !isBroken else { return }
        io_uring_queue_exit(ring)
        ring.deallocate()
        scratch.deallocate()
    }

    /// Sends each `(descriptor, bytes)` pair; returns, in the same order, how many bytes of each went out, or a
    /// negative errno when none did. At most `batchLimit` pairs (of any size; FlushCoalescer keeps them within
    /// `largestAnswer`).
    func send(_ answers: [(descriptor: Int32, bytes: ByteBuffer)]) -> [Int32] {
        precondition(answers.count <= Self.batchLimit, "a batch larger than the ring")
        guard !answers.isEmpty else { return [] }
        guard !isBroken else { return Array(repeating: -ECANCELED, count: answers.count) }
        let total = answers.reduce(0) { $0 + $1.bytes.readableBytes }
        if total > scratch.count {
            scratch.deallocate()
            scratch = .allocate(byteCount: max(total, scratch.count * 2), alignment: 16)
        }
        descriptors.removeAll(keepingCapacity: true)
        addresses.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        var offset = 0
        for answer in answers {
            let length = answer.bytes.readableBytes
            answer.bytes.withUnsafeReadableBytes { bytes in
                if length > 0 { (scratch.baseAddress! + offset).copyMemory(from: bytes.baseAddress!, byteCount: length) }
            }
            descriptors.append(answer.descriptor)
            addresses.append(UnsafeRawPointer(scratch.baseAddress! + offset))
            lengths.append(UInt32(length))
            offset += length
        }
        results.removeAll(keepingCapacity: true)
        results.append(contentsOf: repeatElement(0, count: answers.count))
        let status = emu_uring_send_batch(ring, descriptors, addresses, lengths, &results, UInt32(answers.count))
        if status != 0 {
            isBroken = true
            return results
        }
        if scratch.count > Self.retainedScratchBytes {
            scratch.deallocate()
            scratch = .allocate(byteCount: Self.initialScratchBytes, alignment: 16)
        }
        return results
    }
}
