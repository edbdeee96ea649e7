#define _GNU_SOURCE
#include "statvfs_timeout.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

// One answer from the child; smaller than PIPE_BUF, so each write arrives whole.
struct record {
    int index;
    int error;
    struct statvfs stats;
};

// In the child only async-signal-safe calls: close, statvfs, write, _exit.
static void measure_from(const char *const *paths, int first, int count, int fd) {
    // A child stuck in the kernel outlives us; it must not hold our stdout open for a reader.
    close(STDIN_FILENO);
    close(STDOUT_FILENO);
    close(STDERR_FILENO);
    // Nor any other descriptor (a caller's pipes, sockets): keep only ours, as fd 3.
    if (fd != 3) { if (dup2(fd, 3) < 0) _exit(1); fd = 3; }
    if (syscall(SYS_close_range, 4U, ~0U, 0U) != 0) {
        for (int other = 4; other < 4096; other++) close(other);
    }
    for (int i = first; i < count; i++) {
        struct record r;
        memset(&r, 0, sizeof r);
        r.index = i;
        r.error = statvfs(paths[i], &r.stats) == 0 ? 0 : errno;
        if (write(fd, &r, sizeof r) != (ssize_t)sizeof r) _exit(1);
    }
    _exit(0);
}

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void csupport_statvfs_many(const char *const *paths, int count, struct csupport_statvfs_result *results, int timeout_ms, int budget_ms) {
    long long end = budget_ms < 0 ? -1 : now_ms() + budget_ms;
    int next = 0;
    while (next < count) {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) break;
        pid_t pid = fork();
        if (pid < 0) { close(fds[0]); close(fds[1]); break; }
        if (pid == 0) { close(fds[0]); measure_from(paths, next, count, fds[1]); }
        close(fds[1]);

        int stuck = 0, spent = 0;
        while (next < count) {
            struct pollfd p = { .fd = fds[0], .events = POLLIN };
            long long left = end < 0 ? timeout_ms : end - now_ms();
            int wait = left < timeout_ms ? (int)(left > 0 ? left : 0) : timeout_ms;
            int ready = poll(&p, 1, wait);
            if (ready < 0 && errno == EINTR) continue;
            if (ready == 0) { stuck = 1; spent = wait < timeout_ms; break; }
            struct record r;
            ssize_t got = read(fds[0], &r, sizeof r);
            if (got == (ssize_t)sizeof r && r.index >= next && r.index < count) {
                results[r.index].error = r.error;
                results[r.index].stats = r.stats;
                next = r.index + 1;
            } else {
                results[next].error = got == 0 ? EIO : errno ? errno : EIO;  // the child died mid-way
                next++;
                break;
            }
        }
        close(fds[0]);
        if (stuck) {
            results[next].error = ETIMEDOUT;
            next++;
            // The child may never come back from the kernel; do not wait for it.
            kill(pid, SIGKILL);
            waitpid(pid, NULL, WNOHANG);
            if (spent) {
                // The budget ran out before the mount's own timeout: it and the rest go unmeasured.
                for (int i = next - 1; i < count; i++) results[i].error = ECANCELED;
                return;
            }
        } else {
            waitpid(pid, NULL, 0);
        }
    }
    // Whatever could not be measured at all (no pipe, no fork) is measured directly.
    for (int i = next; i < count; i++) results[i].error = statvfs(paths[i], &results[i].stats) == 0 ? 0 : errno;
}
