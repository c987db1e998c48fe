// liburing from Debian's liburing-dev, for the gateway's batched answers (BatchedSender).
//
// liburing.h defines _XOPEN_SOURCE and _GNU_SOURCE before it includes the C library's headers. Included here
// first, those headers are the same ones Swift's Glibc module has, not a second set with other definitions
// (which Clang refuses to merge in a program that imports both).
#include <sys/socket.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdint.h>
#include <time.h>
#include <fcntl.h>
#include <sched.h>
#include <liburing.h>

#define EMU_URING_CANCEL_TAG UINT64_MAX
/// A batch's tags fit one 64-bit mask of completed sends.
#define EMU_URING_BATCH_LIMIT 63

/// A ring for `emu_uring_send_batch`: IORING_SETUP_SUBMIT_ALL (Linux 5.18) submits every entry of a batch even when
/// one of them fails (a closed socket), where older kernels stop at it and leave the rest queued. Returns 0 or a
/// negative errno; on older kernels the gateway writes through NIO instead.
static inline int emu_uring_setup(struct io_uring *ring) {
    return io_uring_queue_init(EMU_URING_BATCH_LIMIT + 1, ring, IORING_SETUP_SUBMIT_ALL);
}

/// Sends `count` buffers, each to its own connected socket, with one io_uring_enter: the answers an event-loop
/// pass made all go out before any client they wake can preempt the writer.
///
/// MSG_DONTWAIT makes a send that finds no room fail at once with -EAGAIN instead of waiting in the kernel for
/// room, so the whole batch completes inside the submission. Should a kernel still leave one pending, it is
/// cancelled by its tag (Linux 5.5) and waited for, so nothing of the batch outlives the call and its buffers.
///
/// `results[i]`: the byte count sent of `buffers[i]`, or a negative errno (nothing of it was sent; -ECANCELED also
/// for what was never submitted). Returns 0; or a negative errno when the ring did not take the whole batch, and then
/// the ring must not be entered again: entries it did not take are still queued in it. `count` is 1 to
/// EMU_URING_BATCH_LIMIT.
static inline int emu_uring_send_batch(struct io_uring *ring, const int *fds, const void *const *buffers,
                                       const unsigned *lengths, int *results, unsigned count) {
    if (count == 0 || count > EMU_URING_BATCH_LIMIT) return -EINVAL;
    for (unsigned i = 0; i < count; i++) results[i] = -ECANCELED;
    // Checked before anything is queued, so that a refusal leaves nothing behind for a later submission.
    if (io_uring_sq_space_left(ring) < count) return -EBUSY;
    for (unsigned i = 0; i < count; i++) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
        io_uring_prep_send(sqe, fds[i], buffers[i], lengths[i], MSG_DONTWAIT | MSG_NOSIGNAL);
        io_uring_sqe_set_data64(sqe, i);
    }
    int submitted = io_uring_submit(ring);
    if (submitted < 0) return submitted;
    // From here on every completion of what was submitted is waited for, whatever goes wrong.
    uint64_t completed = 0;
    unsigned outstanding = (unsigned)submitted, cancelled = 0;
    while (outstanding > 0) {
        struct io_uring_cqe *cqe = NULL;
        int error = io_uring_peek_cqe(ring, &cqe);
        if (error == -EAGAIN) {
            // Cancelling submits: with entries the kernel did not take still queued, they would go out too.
            if (!cancelled && (unsigned)submitted == count && io_uring_sq_space_left(ring) >= count) {
                for (unsigned i = 0; i < count; i++) {
                    if (completed & (UINT64_C(1) << i)) continue;
                    struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
                    io_uring_prep_cancel64(sqe, i, 0);
                    io_uring_sqe_set_data64(sqe, EMU_URING_CANCEL_TAG);
                }
                int taken = io_uring_submit(ring);
                if (taken > 0) outstanding += (unsigned)taken;
                cancelled = 1;
            }
            error = io_uring_wait_cqe(ring, &cqe);
        }
        if (error == -EINTR || error == -EAGAIN) continue;
        if (error < 0) return error;
        uint64_t tag = io_uring_cqe_get_data64(cqe);
        if (tag < count) {
            results[tag] = cqe->res;
            completed |= UINT64_C(1) << tag;
        }
        io_uring_cqe_seen(ring, cqe);
        outstanding--;
    }
    return (unsigned)submitted == count ? 0 : -EBUSY;
}
