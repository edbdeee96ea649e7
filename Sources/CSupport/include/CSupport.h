#include "statvfs_timeout.h"
#include "curl_loader.h"
#include "journal_loader.h"
#include "failed_units_bus.h"
