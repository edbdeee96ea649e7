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

#endif
