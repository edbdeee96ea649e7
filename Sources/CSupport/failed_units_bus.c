#include "failed_units_bus.h"
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-bus.h>  /* headers only; the library is dlopen'ed */

static struct {
    int (*open_system)(sd_bus **);
    int (*is_ready)(sd_bus *);
    int (*process)(sd_bus *, sd_bus_message **);
    int (*wait)(sd_bus *, uint64_t);
    sd_bus *(*unref)(sd_bus *);
    int (*new_method_call)(sd_bus *, sd_bus_message **, const char *, const char *, const char *, const char *);
    int (*append_strv)(sd_bus_message *, char **);
    int (*call)(sd_bus *, sd_bus_message *, uint64_t, sd_bus_error *, sd_bus_message **);
    int (*enter_container)(sd_bus_message *, char, const char *);
    int (*read)(sd_bus_message *, const char *, ...);
    sd_bus_message *(*message_unref)(sd_bus_message *);
    void (*error_free)(sd_bus_error *);
} api;

static const char *load_error = "libsystemd was not loaded";
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    void *lib = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!lib) { load_error = "libsystemd.so.0 is not installed"; return; }
#define BIND(field, symbol) \
    if (!(*(void **)(&api.field) = dlsym(lib, symbol))) { load_error = "libsystemd lacks " symbol; return; }
    BIND(open_system, "sd_bus_open_system")
    BIND(is_ready, "sd_bus_is_ready")
    BIND(process, "sd_bus_process")
    BIND(wait, "sd_bus_wait")
    BIND(unref, "sd_bus_unref")
    BIND(new_method_call, "sd_bus_message_new_method_call")
    BIND(append_strv, "sd_bus_message_append_strv")
    BIND(call, "sd_bus_call")
    BIND(enter_container, "sd_bus_message_enter_container")
    BIND(read, "sd_bus_message_read")
    BIND(message_unref, "sd_bus_message_unref")
    BIND(error_free, "sd_bus_error_free")
#undef BIND
    load_error = NULL;
}

static uint64_t now_usec(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

/// Writes "what: why" into error and returns a negative errno.
static int fail(char *error, size_t size, int r, const char *what, const sd_bus_error *e) {
    if (e && e->name) snprintf(error, size, "%s: %s%s%s", what, e->name, e->message ? ": " : "", e->message ? e->message : "");
    else snprintf(error, size, "%s: %s", what, strerror(r < 0 ? -r : EIO));
    return r < 0 ? r : -EIO;
}

/// Appends a string with its NUL, growing the block; 0 or -ENOMEM.
static int append(char **block, size_t *used, size_t *capacity, const char *text) {
    size_t size = strlen(text) + 1;
    if (*used + size > *capacity) {
        size_t wanted = (*capacity ? *capacity * 2 : 4096) + size;
        char *grown = realloc(*block, wanted);
        if (!grown) return -ENOMEM;
        *block = grown;
        *capacity = wanted;
    }
    memcpy(*block + *used, text, size);
    *used += size;
    return 0;
}

int csupport_bus_failed_units(uint64_t timeout_usec, size_t limit, char **fields, size_t *length, char *error, size_t error_size) {
    *fields = NULL;
    *length = 0;
    pthread_once(&once, load);
    if (load_error) { snprintf(error, error_size, "%s", load_error); return -ENOSYS; }
    uint64_t end = now_usec() + timeout_usec;
    sd_bus *bus = NULL;
    sd_bus_message *call = NULL, *reply = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    char *block = NULL;
    size_t used = 0, capacity = 0;
    int count = 0;

    int r = api.open_system(&bus);
    // sd_bus_call waits for the connection to be set up with no limit of its own: wait here, bounded.
    while (r >= 0 && (r = api.is_ready(bus)) == 0) {
        // Checked on every pass: a peer that keeps sending must not keep this loop going.
        uint64_t now = now_usec();
        if (now >= end) { r = -ETIMEDOUT; break; }
        if ((r = api.process(bus, NULL)) != 0) continue;
        r = api.wait(bus, end - now);
    }
    if (r < 0) { r = fail(error, error_size, r, "cannot connect to the system bus", NULL); goto done; }

    r = api.new_method_call(bus, &call, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                            "org.freedesktop.systemd1.Manager", "ListUnitsFiltered");
    char *states[] = { "failed", NULL };
    if (r >= 0) r = api.append_strv(call, states);
    if (r < 0) { r = fail(error, error_size, r, "cannot build the call", NULL); goto done; }
    uint64_t now = now_usec();
    // 0 would mean sd-bus's default of 25 s.
    r = api.call(bus, call, end > now ? end - now : 1, &e, &reply);
    if (r < 0) { r = fail(error, error_size, r, "systemd's ListUnitsFiltered failed", &e); goto done; }

    r = api.enter_container(reply, SD_BUS_TYPE_ARRAY, "(ssssssouso)");
    while (r > 0 && (size_t)count < limit) {
        const char *name, *description, *load_state, *active_state, *sub_state, *following, *path, *job_type, *job_path;
        uint32_t job_id;
        r = api.read(reply, "(ssssssouso)", &name, &description, &load_state, &active_state, &sub_state, &following, &path,
                     &job_id, &job_type, &job_path);
        if (r <= 0) break;
        const char *unit[] = { name, description, load_state, active_state, sub_state };
        for (int i = 0; i < 5 && r > 0; i++) r = append(&block, &used, &capacity, unit[i]) < 0 ? -ENOMEM : 1;
        if (r > 0) count++;
    }
    if (r < 0) { r = fail(error, error_size, r, "systemd answered ListUnitsFiltered with something other than a(ssssssouso)", NULL); goto done; }
    *fields = block;
    *length = used;
    block = NULL;
    r = count;

done:
    free(block);
    api.error_free(&e);
    if (reply) api.message_unref(reply);
    if (call) api.message_unref(call);
    // Without a flush: a bus that stopped reading must not hold us.
    if (bus) api.unref(bus);
    return r;
}
