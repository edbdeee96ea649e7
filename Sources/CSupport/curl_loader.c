#include "curl_loader.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMcode (*multi_wait)(CURLM *, struct curl_waitfd *, unsigned int, int, int *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
    CURLMcode (*multi_cleanup)(CURLM *);
} api;

static const char *load_error = "libcurl was not loaded";
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) lib = dlopen("libcurl.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) { load_error = "libcurl.so.4 is not installed (apt-get install libcurl4)"; return; }
#define BIND(field, symbol) \
    if (!(*(void **)(&api.field) = dlsym(lib, symbol))) { load_error = "libcurl lacks " symbol; return; }
    BIND(global_init, "curl_global_init")
    BIND(easy_init, "curl_easy_init")
    BIND(easy_cleanup, "curl_easy_cleanup")
    BIND(easy_perform, "curl_easy_perform")
    BIND(easy_strerror, "curl_easy_strerror")
    BIND(easy_setopt, "curl_easy_setopt")
    BIND(easy_getinfo, "curl_easy_getinfo")
    BIND(slist_append, "curl_slist_append")
    BIND(slist_free_all, "curl_slist_free_all")
    BIND(multi_init, "curl_multi_init")
    BIND(multi_add_handle, "curl_multi_add_handle")
    BIND(multi_remove_handle, "curl_multi_remove_handle")
    BIND(multi_perform, "curl_multi_perform")
    BIND(multi_wait, "curl_multi_wait")
    BIND(multi_info_read, "curl_multi_info_read")
    BIND(multi_cleanup, "curl_multi_cleanup")
#undef BIND
    if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) { load_error = "libcurl could not initialise"; return; }
    load_error = NULL;
}

const char *csupport_curl_load(void) {
    pthread_once(&once, load);
    return load_error;
}

CURL *csupport_curl_easy_init(void) { return api.easy_init(); }
void csupport_curl_easy_cleanup(CURL *h) { api.easy_cleanup(h); }
CURLcode csupport_curl_easy_perform(CURL *h) { return api.easy_perform(h); }
const char *csupport_curl_easy_strerror(CURLcode c) { return api.easy_strerror(c); }
struct curl_slist *csupport_curl_slist_append(struct curl_slist *l, const char *t) { return api.slist_append(l, t); }
void csupport_curl_slist_free_all(struct curl_slist *l) { if (l) api.slist_free_all(l); }
CURLcode csupport_curl_setopt_long(CURL *h, CURLoption o, long v) { return api.easy_setopt(h, o, v); }
CURLcode csupport_curl_setopt_ptr(CURL *h, CURLoption o, const void *v) { return api.easy_setopt(h, o, v); }
CURLcode csupport_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return api.easy_setopt(h, o, v); }
CURLcode csupport_curl_setopt_write(CURL *h, size_t (*f)(char *, size_t, size_t, void *)) {
    return api.easy_setopt(h, CURLOPT_WRITEFUNCTION, f);
}
CURLcode csupport_curl_setopt_read(CURL *h, size_t (*f)(char *, size_t, size_t, void *)) {
    return api.easy_setopt(h, CURLOPT_READFUNCTION, f);
}
CURLcode csupport_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return api.easy_getinfo(h, i, v); }
CURLcode csupport_curl_getinfo_ptr(CURL *h, CURLINFO i, void **v) { return api.easy_getinfo(h, i, v); }

CURLM *csupport_curl_multi_init(void) { return api.multi_init(); }
CURLMcode csupport_curl_multi_add(CURLM *m, CURL *h) { return api.multi_add_handle(m, h); }
CURLMcode csupport_curl_multi_remove(CURLM *m, CURL *h) { return api.multi_remove_handle(m, h); }
CURLMcode csupport_curl_multi_perform(CURLM *m, int *running) { return api.multi_perform(m, running); }
CURLMcode csupport_curl_multi_wait(CURLM *m, int timeout_ms) { return api.multi_wait(m, NULL, 0, timeout_ms, NULL); }
void csupport_curl_multi_cleanup(CURLM *m) { if (m) api.multi_cleanup(m); }
int csupport_curl_multi_done(CURLM *m, CURL **handle, CURLcode *result) {
    int queued = 0;
    CURLMsg *message;
    while ((message = api.multi_info_read(m, &queued))) {
        if (message->msg != CURLMSG_DONE) continue;
        *handle = message->easy_handle;
        *result = message->data.result;
        return 1;
    }
    return 0;
}
