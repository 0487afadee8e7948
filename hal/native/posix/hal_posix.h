/* The POSIX port of the HAL (Linux PCs and boards such as the Raspberry Pi): what main.c and
 * bench.c need beyond hal_contract.h. The HAL functions themselves are declared in
 * common/hal_contract.h and implemented in hal_posix.c (clock, random, console, log, event, sys,
 * audio, io), hal_posix_kv.c (kv) and hal_posix_net.c (net). */
#ifndef HAL_POSIX_H
#define HAL_POSIX_H

#include <stdbool.h>
#include <stdint.h>

#include "hal_contract.h"

#ifdef __cplusplus
extern "C" {
#endif

struct hal_posix_config {
    /* kv values live in <state_dir>/kv/, one file per key, named as host-sim's FileKv names them
     * (so both hosts can share a state dir). NULL: ".intercom-state". Created on first write. */
    const char *state_dir;
    /* Where events go as JSON lines: a file path (appended), or NULL / "-" for stdout. */
    const char *events_path;
    /* sys.info values. NULL: "posix", "posix", and a serial derived from /etc/machine-id. */
    const char *board;
    const char *host;
    const char *serial;
    /* The clock starts at 0 and moves only by hal_posix_wait (tests, --virtual). */
    bool virtual_clock;
};

/* Opens the port; false with the reason in err. */
bool hal_posix_open(const struct hal_posix_config *cfg, char *err, uint32_t err_len);

/* Flushes pending console output (waiting up to a second for a slow reader) and closes sockets. */
void hal_posix_close(void);

/* Waits up to ms for console input or a datagram, flushing console output meanwhile. A virtual
 * clock advances by ms at once. Returns early on a signal. */
void hal_posix_wait(int32_t ms);

/* True once after hal_sys_reboot was called. */
bool hal_posix_take_reboot(void);

/* Counters for the end-of-run summary. */
struct hal_posix_stats {
    uint64_t watchdog_feeds;
    uint32_t panics;
    uint32_t events;
    uint32_t events_dropped;
    uint64_t console_in;
    uint64_t console_out;
};
void hal_posix_get_stats(struct hal_posix_stats *st);

/* Writes "<seconds>.<ms> <what>: <text>\n" to stderr in one write (the port's log format). */
void hal_posix_report(const char *what, const char *text, uint32_t len);

/* Between the port's files. kv: sets the state dir (hal_posix_kv.c). */
bool hal_posix_kv_set_dir(const char *state_dir, char *err, uint32_t err_len);
/* net: adds the open sockets to a poll set (hal_posix_net.c); returns how many were added. */
struct pollfd;
int hal_posix_net_pollfds(struct pollfd *fds, int max);
void hal_posix_net_close_all(void);

/* Reads a whole file (at most 64 MiB) into a malloc'd buffer the caller frees; NULL on failure. */
uint8_t *hal_posix_read_file(const char *path, uint32_t *size);

#ifdef __cplusplus
}
#endif
#endif /* HAL_POSIX_H */
