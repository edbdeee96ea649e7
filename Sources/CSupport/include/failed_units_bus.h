#ifndef CSUPPORT_FAILED_UNITS_BUS_H
#define CSUPPORT_FAILED_UNITS_BUS_H
#include <stddef.h>
#include <stdint.h>

/// The systemd units in the `failed` state, as systemd lists them on the system bus
/// (org.freedesktop.systemd1.Manager.ListUnitsFiltered(["failed"])), through libsystemd's sd-bus,
/// loaded with dlopen on first use. The bus is the one sd_bus_open_system picks:
/// $DBUS_SYSTEM_BUS_ADDRESS, else /run/dbus/system_bus_socket.
///
/// Connecting and the call together end within timeout_usec. At most `limit` units are read.
/// Returns the number of units and sets *fields to a malloc'd block of five NUL-terminated strings
/// per unit (name, description, load state, active state, sub state) and *length to its size;
/// free() it. On failure returns a negative errno and writes why into error.
int csupport_bus_failed_units(uint64_t timeout_usec, size_t limit, char **fields, size_t *length, char *error, size_t error_size);

#endif
