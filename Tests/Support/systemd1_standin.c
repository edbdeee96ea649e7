/* A stand-in for systemd's manager on a private D-Bus bus, for the sender's tests (PID 1 there is
 * not systemd). It owns org.freedesktop.systemd1 and serves, on /org/freedesktop/systemd1,
 * org.freedesktop.systemd1.Manager.ListUnitsFiltered(in as states, out a(ssssssouso) units) as
 * org.freedesktop.systemd1(5) documents it: the units whose load, active or sub state is one of
 * `states`, each as (name, description, load state, active state, sub state, following unit,
 * unit object path, job id, job type, job object path). sd-bus refuses a call of another
 * signature with org.freedesktop.DBus.Error.InvalidArgs, as systemd does.
 *
 * The units are read at each call from the file named by argv[1], one a line:
 * NAME<tab>DESCRIPTION<tab>LOAD<tab>ACTIVE<tab>SUB. Each call's states are appended to argv[2],
 * one line a call, joined by spaces. It connects to $DBUS_SYSTEM_BUS_ADDRESS and prints "ready"
 * once it owns the name. Built by the test with `cc -o DIR/systemd1_standin systemd1_standin.c
 * -lsystemd`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

static const char *units_file, *calls_file;

static int list_units_filtered(sd_bus_message *m, void *userdata, sd_bus_error *error) {
    (void)userdata;
    char **states = NULL;
    int r = sd_bus_message_read_strv(m, &states);
    if (r < 0) return r;
    FILE *calls = fopen(calls_file, "a");
    if (calls) {
        for (char **s = states; s && *s; s++) fprintf(calls, "%s%s", s == states ? "" : " ", *s);
        fputc('\n', calls);
        fclose(calls);
    }
    FILE *units = fopen(units_file, "r");
    if (!units) {
        r = sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "cannot read %s", units_file);
        goto done;
    }
    sd_bus_message *reply = NULL;
    r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0) r = sd_bus_message_open_container(reply, 'a', "(ssssssouso)");
    char line[4096];
    while (r >= 0 && fgets(line, sizeof line, units)) {
        line[strcspn(line, "\n")] = 0;
        char *field[5];
        char *rest = line;
        int n = 0;
        while (n < 5 && (field[n] = strsep(&rest, "\t"))) n++;
        if (n < 5) continue;
        int wanted = 0;
        for (char **s = states; s && *s; s++)
            if (!strcmp(*s, field[2]) || !strcmp(*s, field[3]) || !strcmp(*s, field[4])) wanted = 1;
        if (!wanted) continue;
        char *path = NULL;
        r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", field[0], &path);
        if (r >= 0)
            r = sd_bus_message_append(reply, "(ssssssouso)", field[0], field[1], field[2], field[3], field[4], "", path,
                                      (uint32_t)0, "", "/");
        free(path);
    }
    fclose(units);
    if (r >= 0) r = sd_bus_message_close_container(reply);
    if (r >= 0) r = sd_bus_send(NULL, reply, NULL);
    sd_bus_message_unref(reply);
done:
    for (char **s = states; s && *s; s++) free(*s);
    free(states);
    return r;
}

static const sd_bus_vtable manager[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("ListUnitsFiltered", "as", "a(ssssssouso)", list_units_filtered, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END
};

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: systemd1_standin UNITS_FILE CALLS_FILE\n"); return 2; }
    units_file = argv[1];
    calls_file = argv[2];
    sd_bus *bus = NULL;
    int r = sd_bus_open_system(&bus);
    if (r >= 0) r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", manager, NULL);
    if (r >= 0) r = sd_bus_request_name(bus, "org.freedesktop.systemd1", 0);
    if (r < 0) { fprintf(stderr, "systemd1_standin: %s\n", strerror(-r)); return 1; }
    printf("ready\n");
    fflush(stdout);
    for (;;) {
        r = sd_bus_process(bus, NULL);
        if (r > 0) continue;
        if (r >= 0) r = sd_bus_wait(bus, UINT64_MAX);
        // The bus went away: the test is over.
        if (r < 0) return 0;
    }
}
