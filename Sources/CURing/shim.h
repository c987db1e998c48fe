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

/// Sends `count` buffers, each to its own connected socket, with one io_uring_enter: the answers an event-loop
/// pass made all go out before any client they wake can preempt the writer.
///
/// MSG_DONTWAIT makes a send that finds no room fail at once with -EAGAIN instead of waiting in the kernel for
/// room, so the whole batch completes inside the submission. Should a kernel still leave one pending, it is
/// cancelled and waited for (its result is then -ECANCELED, or what it managed before the cancellation), so nothing
/// of the batch outlives the call and its buffers.
///
/// `results[i]`: the byte count sent of `buffers[i]`, or a negative errno (nothing of it was sent).
/// Returns 0; or a negative errno when the ring could not take the batch, and then the ring must not be used again
/// (`results` says -ECANCELED for what was never submitted). `count` must not exceed the ring's entries minus one.
static inline int emu_uring_send_batch(struct io_uring *ring, const int *fds, const void *const *buffers,
                                       const unsigned *lengths, int *results, unsigned count) {
    for (unsigned i = 0; i < count; i++) results[i] = -ECANCELED;
    for (unsigned i = 0; i < count; i++) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
        if (sqe == NULL) return -EBUSY;
        io_uring_prep_send(sqe, fds[i], buffers[i], lengths[i], MSG_DONTWAIT | MSG_NOSIGNAL);
        io_uring_sqe_set_data64(sqe, i);
    }
    int submitted = io_uring_submit(ring);
    if (submitted < 0) return submitted;
    unsigned outstanding = (unsigned)submitted, cancelled = 0;
    while (outstanding > 0) {
        struct io_uring_cqe *cqe = NULL;
        int error = io_uring_peek_cqe(ring, &cqe);
        if (error == -EAGAIN) {
            if (!cancelled) {
                struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
                if (sqe == NULL) return -EBUSY;
                io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
                io_uring_sqe_set_data64(sqe, EMU_URING_CANCEL_TAG);
                if (io_uring_submit(ring) < 1) return -EBUSY;
                cancelled = 1;
                outstanding++;
            }
            error = io_uring_wait_cqe(ring, &cqe);
        }
        if (error == -EINTR) continue;
        if (error < 0) return error;
        uint64_t tag = io_uring_cqe_get_data64(cqe);
        if (tag < count) results[tag] = cqe->res;
        io_uring_cqe_seen(ring, cqe);
        outstanding--;
    }
    return (unsigned)submitted == count ? 0 : -EBUSY;
}
