#ifndef CSUPPORT_JOURNAL_LOADER_H
#define CSUPPORT_JOURNAL_LOADER_H
#include <stddef.h>
#include <stdint.h>

/// The systemd journal through libsystemd's sd_journal API, loaded with dlopen on first use so
/// that runs which read no journal never load libsystemd. Opaque handle: a sd_journal *.
typedef struct csupport_journal csupport_journal;

/// NULL on success, else why libsystemd could not be loaded.
const char *csupport_journal_load(void);

/// Negative errno values on failure, as sd_journal returns them.
int csupport_journal_open_local(csupport_journal **ret);
int csupport_journal_open_directory(csupport_journal **ret, const char *path);
int csupport_journal_open_files(csupport_journal **ret, const char **paths);
void csupport_journal_close(csupport_journal *j);

int csupport_journal_next(csupport_journal *j);
int csupport_journal_seek_head(csupport_journal *j);
int csupport_journal_seek_realtime_usec(csupport_journal *j, uint64_t usec);
int csupport_journal_seek_cursor(csupport_journal *j, const char *cursor);
int csupport_journal_test_cursor(csupport_journal *j, const char *cursor);
/// The current entry's cursor, malloc'd: free it with free().
int csupport_journal_get_cursor(csupport_journal *j, char **cursor);
int csupport_journal_get_realtime_usec(csupport_journal *j, uint64_t *usec);
void csupport_journal_restart_data(csupport_journal *j);
/// Next "FIELD=value" of the current entry: 1 when one was returned, 0 at the end.
int csupport_journal_enumerate_data(csupport_journal *j, const void **data, size_t *length);
int csupport_journal_add_match(csupport_journal *j, const void *data, size_t length);
int csupport_journal_add_disjunction(csupport_journal *j);
int csupport_journal_add_conjunction(csupport_journal *j);
/// 0 lifts sd_journal's default 64 KiB cut of field values.
int csupport_journal_set_data_threshold(csupport_journal *j, size_t size);
/// Bytes of the journal files opened: 0 means none could be opened.
int csupport_journal_get_usage(csupport_journal *j, uint64_t *bytes);

#endif
