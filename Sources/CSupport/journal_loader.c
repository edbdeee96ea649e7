#include "journal_loader.h"
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <systemd/sd-journal.h>  /* headers only (CSystemd); the library is dlopen'ed */

static struct {
    int (*open)(sd_journal **, int);
    int (*open_directory)(sd_journal **, const char *, int);
    int (*open_files)(sd_journal **, const char **, int);
    void (*close)(sd_journal *);
    int (*next)(sd_journal *);
    int (*seek_head)(sd_journal *);
    int (*seek_realtime_usec)(sd_journal *, uint64_t);
    int (*seek_cursor)(sd_journal *, const char *);
    int (*test_cursor)(sd_journal *, const char *);
    int (*get_cursor)(sd_journal *, char **);
    int (*get_realtime_usec)(sd_journal *, uint64_t *);
    void (*restart_data)(sd_journal *);
    int (*enumerate_data)(sd_journal *, const void **, size_t *);
    int (*add_match)(sd_journal *, const void *, size_t);
    int (*add_disjunction)(sd_journal *);
    int (*add_conjunction)(sd_journal *);
    int (*set_data_threshold)(sd_journal *, size_t);
    int (*get_usage)(sd_journal *, uint64_t *);
} api;

static const char *load_error = "libsystemd was not loaded";
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    void *lib = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!lib) { load_error = "libsystemd.so.0 is not installed (apt-get install libsystemd0)"; return; }
#define BIND(field, symbol) \
    if (!(*(void **)(&api.field) = dlsym(lib, symbol))) { load_error = "libsystemd lacks " symbol; return; }
    BIND(open, "sd_journal_open")
    BIND(open_directory, "sd_journal_open_directory")
    BIND(open_files, "sd_journal_open_files")
    BIND(close, "sd_journal_close")
    BIND(next, "sd_journal_next")
    BIND(seek_head, "sd_journal_seek_head")
    BIND(seek_realtime_usec, "sd_journal_seek_realtime_usec")
    BIND(seek_cursor, "sd_journal_seek_cursor")
    BIND(test_cursor, "sd_journal_test_cursor")
    BIND(get_cursor, "sd_journal_get_cursor")
    BIND(get_realtime_usec, "sd_journal_get_realtime_usec")
    BIND(restart_data, "sd_journal_restart_data")
    BIND(enumerate_data, "sd_journal_enumerate_data")
    BIND(add_match, "sd_journal_add_match")
    BIND(add_disjunction, "sd_journal_add_disjunction")
    BIND(add_conjunction, "sd_journal_add_conjunction")
    BIND(set_data_threshold, "sd_journal_set_data_threshold")
    BIND(get_usage, "sd_journal_get_usage")
#undef BIND
    load_error = NULL;
}

const char *csupport_journal_load(void) {
    pthread_once(&once, load);
    return load_error;
}

#define J(j) ((sd_journal *)(j))
int csupport_journal_open_local(csupport_journal **ret) { return api.open((sd_journal **)ret, SD_JOURNAL_LOCAL_ONLY); }
int csupport_journal_open_directory(csupport_journal **ret, const char *path) { return api.open_directory((sd_journal **)ret, path, 0); }
int csupport_journal_open_files(csupport_journal **ret, const char **paths) { return api.open_files((sd_journal **)ret, paths, 0); }
void csupport_journal_close(csupport_journal *j) { if (j) api.close(J(j)); }
int csupport_journal_next(csupport_journal *j) { return api.next(J(j)); }
int csupport_journal_seek_head(csupport_journal *j) { return api.seek_head(J(j)); }
int csupport_journal_seek_realtime_usec(csupport_journal *j, uint64_t usec) { return api.seek_realtime_usec(J(j), usec); }
int csupport_journal_seek_cursor(csupport_journal *j, const char *cursor) { return api.seek_cursor(J(j), cursor); }
int csupport_journal_test_cursor(csupport_journal *j, const char *cursor) { return api.test_cursor(J(j), cursor); }
int csupport_journal_get_cursor(csupport_journal *j, char **cursor) { return api.get_cursor(J(j), cursor); }
int csupport_journal_get_realtime_usec(csupport_journal *j, uint64_t *usec) { return api.get_realtime_usec(J(j), usec); }
void csupport_journal_restart_data(csupport_journal *j) { api.restart_data(J(j)); }
int csupport_journal_enumerate_data(csupport_journal *j, const void **data, size_t *length) { return api.enumerate_data(J(j), data, length); }
int csupport_journal_add_match(csupport_journal *j, const void *data, size_t length) { return api.add_match(J(j), data, length); }
int csupport_journal_add_disjunction(csupport_journal *j) { return api.add_disjunction(J(j)); }
int csupport_journal_add_conjunction(csupport_journal *j) { return api.add_conjunction(J(j)); }
int csupport_journal_set_data_threshold(csupport_journal *j, size_t size) { return api.set_data_threshold(J(j), size); }
int csupport_journal_get_usage(csupport_journal *j, uint64_t *bytes) { return api.get_usage(J(j), bytes); }
