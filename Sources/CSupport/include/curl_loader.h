#ifndef CSUPPORT_CURL_LOADER_H
#define CSUPPORT_CURL_LOADER_H
#include <curl/curl.h>

/// Loads libcurl.so.4 with dlopen on first call. Returns NULL on success, else why it failed.
const char *csupport_curl_load(void);

CURL *csupport_curl_easy_init(void);
void csupport_curl_easy_cleanup(CURL *handle);
CURLcode csupport_curl_easy_perform(CURL *handle);
const char *csupport_curl_easy_strerror(CURLcode code);
struct curl_slist *csupport_curl_slist_append(struct curl_slist *list, const char *text);
void csupport_curl_slist_free_all(struct curl_slist *list);

// curl_easy_setopt is variadic, which Swift cannot call; these typed wrappers can be.
CURLcode csupport_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode csupport_curl_setopt_ptr(CURL *handle, CURLoption option, const void *value);
CURLcode csupport_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode csupport_curl_setopt_write(CURL *handle, size_t (*callback)(char *, size_t, size_t, void *));
CURLcode csupport_curl_setopt_read(CURL *handle, size_t (*callback)(char *, size_t, size_t, void *));
CURLcode csupport_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode csupport_curl_getinfo_ptr(CURL *handle, CURLINFO info, void **value);

// The multi interface, for transfers that run at once (the certificate collector's endpoints).
CURLM *csupport_curl_multi_init(void);
CURLMcode csupport_curl_multi_add(CURLM *multi, CURL *handle);
CURLMcode csupport_curl_multi_remove(CURLM *multi, CURL *handle);
CURLMcode csupport_curl_multi_perform(CURLM *multi, int *running);
/// Waits up to timeout_ms for activity on any transfer.
CURLMcode csupport_curl_multi_wait(CURLM *multi, int timeout_ms);
void csupport_curl_multi_cleanup(CURLM *multi);
/// 1 and the handle and its result when a transfer has finished, else 0. curl_multi_info_read's
/// CURLMsg holds a union that Swift reads awkwardly.
int csupport_curl_multi_done(CURLM *multi, CURL **handle, CURLcode *result);

#endif
