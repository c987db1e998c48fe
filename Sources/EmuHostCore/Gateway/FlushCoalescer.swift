import NIOCore

/// Holds back keep-alive answers until the event loop has handled every connection that was ready together, then
/// sends them all with one system call (BatchedSender), or, where that is not possible, flushes them one after
/// the other.
///
/// Each answer wakes the client that waits for it. Under load a client (an SDK's connection pool, or wrk) is often
/// asleep in `epoll_wait` again before the host's next answer, so answering the eight requests one event loop pass
/// found ready flushed eight times and woke it eight times, each wake-up a cross-CPU interrupt that the writing
/// thread paid for inside `write`, and often a switch to the client when `write` returned. Sent together at the end
/// of the pass, the answers wake it once. An answer waits at most for the rest of its pass; a lone request's answer
/// goes out as soon as the handler returns to the loop.
///
/// One per event loop, made by `GatewayServer` and handed to the handlers of the loop's connections; used only on
/// that loop (asserted), hence `@unchecked Sendable`.
final class FlushCoalescer: @unchecked Sendable {
    private let eventLoop: any EventLoop
    /// nil when the kernel refuses io_uring or GATEWAY_IO_URING=0: every answer is flushed through NIO.
    private let sender: BatchedSender?
    /// Channels with answers written through NIO, to flush.
    private var flushes: [ChannelHandlerContext] = []
    /// Connections with answers held for the batch.
    private var batch: [(writer: AnswerWriter, context: ChannelHandlerContext)] = []
    /// The pass being ended's, swapped with the two above so that neither is copied.
    private var flushing: [ChannelHandlerContext] = []
    private var sending: [(writer: AnswerWriter, context: ChannelHandlerContext)] = []
    private var scheduled = false
    /// One batch's answers and their writers, kept between passes so a pass allocates nothing for them.
    private var answers: [(descriptor: Int32, bytes: ByteBuffer)] = []
    private var owners: [(writer: AnswerWriter, context: ChannelHandlerContext)] = []

    init(eventLoop: any EventLoop, sender: BatchedSender?) {
        self.eventLoop = eventLoop
        self.sender = sender
    }

    /// Whether held answers go out with one system call; false once the ring failed.
    var batches: Bool { sender.map { !$0.isBroken } ?? false }

    /// Flushes `context`'s channel at the end of the pass (NIO runs the tasks queued on a loop after the events its
    /// selector returned).
    func flushAtEndOfPass(_ context: ChannelHandlerContext) {
        scheduleEndOfPass()
        flushes.append(context)
    }

    /// Sends what `writer` holds at the end of the pass, with every other connection's.
    func sendAtEndOfPass(_ writer: AnswerWriter, context: ChannelHandlerContext) {
        scheduleEndOfPass()
        batch.append((writer, context))
    }

    private func scheduleEndOfPass() {
        eventLoop.assertInEventLoop()
        guard !scheduled else { return }
        scheduled = true
        eventLoop.assumeIsolated().execute { self.endOfPass() }
    }

    private func endOfPass() {
        scheduled = false
        swap(&flushes, &flushing)
        for context in flushing where context.channel.isActive { context.flush() }
        flushing.removeAll(keepingCapacity: true)
        swap(&batch, &sending)
        var start = sending.startIndex
        while start < sending.endIndex {
            let end = min(sending.endIndex, start + BatchedSender.batchLimit)
            send(sending[start..<end])
            start = end
        }
        sending.removeAll(keepingCapacity: true)
    }

    private func send(_ writers: ArraySlice<(writer: AnswerWriter, context: ChannelHandlerContext)>) {
        answers.removeAll(keepingCapacity: true)
        owners.removeAll(keepingCapacity: true)
        for (writer, context) in writers {
            guard let answer = writer.takeHeld(context: context) else { continue }
            answers.append(answer)
            owners.append((writer, context))
        }
        guard !answers.isEmpty, let sender else { return }
        // A ring that failed sends nothing (-ECANCELED each); NIO then writes every answer.
        let results = sender.send(answers)
        for (index, owner) in owners.enumerated() {
            owner.writer.batchSent(results[index], of: answers[index].bytes, context: owner.context)
        }
        // Neither the answers' bytes nor the connections outlive the pass.
        answers.removeAll(keepingCapacity: true)
        owners.removeAll(keepingCapacity: true)
    }
}
