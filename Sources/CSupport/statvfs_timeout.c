#include "statvfs_timeout.h"
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// Shared between the caller and the worker; whoever finishes last frees it, so an
// abandoned worker never writes into the caller's stack.
struct job {
    pthread_mutex_t lock;
    pthread_cond_t done_cond;
    int refs;
    int done;
    int result;
    struct statvfs buf;
    char path[];
};

static void release(struct job *j) {
    int last;
    pthread_mutex_lock(&j->lock);
    last = --j->refs == 0;
    pthread_mutex_unlock(&j->lock);
    if (last) {
        pthread_mutex_destroy(&j->lock);
        pthread_cond_destroy(&j->done_cond);
        free(j);
    }
}

static void *worker(void *arg) {
    struct job *j = arg;
    struct statvfs buf;
    int rc = statvfs(j->path, &buf) == 0 ? 0 : errno;
    pthread_mutex_lock(&j->lock);
    j->result = rc;
    j->buf = buf;
    j->done = 1;
    pthread_cond_signal(&j->done_cond);
    pthread_mutex_unlock(&j->lock);
    release(j);
    return NULL;
}

int csupport_statvfs_timeout(const char *path, struct statvfs *out, int timeout_ms) {
    size_t len = strlen(path);
    struct job *j = calloc(1, sizeof(struct job) + len + 1);
    if (!j) return ENOMEM;
    memcpy(j->path, path, len + 1);
    pthread_mutex_init(&j->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&j->done_cond, &attr);
    pthread_condattr_destroy(&attr);
    j->refs = 2;

    pthread_attr_t tattr;
    pthread_attr_init(&tattr);
    pthread_attr_setdetachstate(&tattr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&tattr, 64 * 1024);
    pthread_t thread;
    int rc = pthread_create(&thread, &tattr, worker, j);
    pthread_attr_destroy(&tattr);
    if (rc != 0) {
        // No thread: fall back to a plain call rather than report nothing.
        free(j);
        return statvfs(path, out) == 0 ? 0 : errno;
    }

    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) { deadline.tv_sec++; deadline.tv_nsec -= 1000000000L; }

    int result = ETIMEDOUT;
    pthread_mutex_lock(&j->lock);
    while (!j->done) {
        if (pthread_cond_timedwait(&j->done_cond, &j->lock, &deadline) == ETIMEDOUT) break;
    }
    if (j->done) {
        result = j->result;
        if (result == 0) *out = j->buf;
    }
    pthread_mutex_unlock(&j->lock);
    release(j);
    return result;
}
