/* A stand-in libsystemd.so.0 for the sender's tests: every call goes to the real library,
 * except that sd_journal_next fails with EBADMSG on the calls JOURNAL_FAIL_NEXT names
 * ("FIRST-LAST", counted from 1), as it does on a damaged journal file. Built by the test with
 * `cc -shared -fPIC -o DIR/libsystemd.so.0 journal_read_errors.c -ldl`, found through
 * LD_LIBRARY_PATH=DIR. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-journal.h>

static void *real(const char *symbol) {
    static void *lib;
    if (!lib) lib = dlopen(REAL_LIBSYSTEMD, RTLD_NOW | RTLD_LOCAL);
    void *function = lib ? dlsym(lib, symbol) : NULL;
    if (!function) { fprintf(stderr, "journal_read_errors: no %s in %s\n", symbol, REAL_LIBSYSTEMD); abort(); }
    return function;
}

#define FORWARD(ret, name, params, args) \
    ret name params { static ret (*f) params; if (!f) f = real(#name); return f args; }

FORWARD(int, sd_journal_open, (sd_journal **j, int flags), (j, flags))
FORWARD(int, sd_journal_open_directory, (sd_journal **j, const char *path, int flags), (j, path, flags))
FORWARD(int, sd_journal_open_files, (sd_journal **j, const char **paths, int flags), (j, paths, flags))
FORWARD(int, sd_journal_seek_head, (sd_journal *j), (j))
FORWARD(int, sd_journal_seek_realtime_usec, (sd_journal *j, uint64_t usec), (j, usec))
FORWARD(int, sd_journal_seek_cursor, (sd_journal *j, const char *cursor), (j, cursor))
FORWARD(int, sd_journal_test_cursor, (sd_journal *j, const char *cursor), (j, cursor))
FORWARD(int, sd_journal_get_cursor, (sd_journal *j, char **cursor), (j, cursor))
FORWARD(int, sd_journal_get_realtime_usec, (sd_journal *j, uint64_t *usec), (j, usec))
FORWARD(int, sd_journal_enumerate_data, (sd_journal *j, const void **data, size_t *length), (j, data, length))
FORWARD(int, sd_journal_add_match, (sd_journal *j, const void *data, size_t size), (j, data, size))
FORWARD(int, sd_journal_add_disjunction, (sd_journal *j), (j))
FORWARD(int, sd_journal_add_conjunction, (sd_journal *j), (j))
FORWARD(int, sd_journal_set_data_threshold, (sd_journal *j, size_t size), (j, size))
FORWARD(int, sd_journal_get_usage, (sd_journal *j, uint64_t *bytes), (j, bytes))

void sd_journal_close(sd_journal *j) {
    static void (*f)(sd_journal *);
    if (!f) f = real("sd_journal_close");
    f(j);
}

void sd_journal_restart_data(sd_journal *j) {
    static void (*f)(sd_journal *);
    if (!f) f = real("sd_journal_restart_data");
    f(j);
}

int sd_journal_next(sd_journal *j) {
    static int (*f)(sd_journal *);
    static long calls, first = -1, last = -1;
    if (!f) {
        f = real("sd_journal_next");
        const char *range = getenv("JOURNAL_FAIL_NEXT");
        if (range) sscanf(range, "%ld-%ld", &first, &last);
    }
    calls++;
    if (calls >= first && calls <= last) return -EBADMSG;
    return f(j);
}
