/* The host's main loop, the same on every port: init() once, then tick(now) whenever the firmware
 * asked to be woken or input arrived; a trap or hal.sys_reboot restarts the instance after a
 * delay, as a watchdog reset or esp_restart would. Reference: shared ARCHITECTURE.md "Execution
 * model"; host-sim/src/firmware.ts does the same on V8. Engine-neutral: uses embed.h only. */
#ifndef RUN_H
#define RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "embed.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the loop needs from a port. */
struct run_port {
    /* hal.clock_now_ms: the time passed to tick. */
    int64_t (*now_ms)(void);
    /* Waits up to ms, returning early when input may be pending. A virtual clock advances by ms. */
    void (*wait_ms)(int32_t ms);
    /* True once after the firmware called hal.sys_reboot. */
    bool (*take_reboot)(void);
    /* Reports a trap or a restart to the operator (one line, no terminator). */
    void (*report)(const char *line);
};

struct run_options {
    /* Stop after this many ticks (0: run until *stop). */
    uint64_t max_ticks;
    /* End the run at the first trap instead of restarting. */
    bool stop_on_trap;
    /* Delay before the restart after a trap and after hal.sys_reboot, ms. */
    int32_t trap_delay_ms;
    int32_t reboot_delay_ms;
    /* Set asynchronously (e.g. by a signal handler) to end the loop after the current tick. */
    volatile sig_atomic_t *stop;
};

struct run_stats {
    uint64_t ticks;
    uint32_t boots;
    uint32_t traps;
    uint32_t reboots;
    /* Smallest and largest wait the firmware asked for. */
    int32_t wait_min;
    int32_t wait_max;
};

enum run_result {
    RUN_DONE = 0,      /* max_ticks reached or stopped */
    RUN_TRAPPED = 1,   /* stop_on_trap and the firmware trapped */
    RUN_FAILED = 2,    /* the instance could not be (re)created: see embed_error */
};

/* Runs the firmware of an opened embed_t (instantiated, init not yet called; embed_fw_check
 * passed). */
enum run_result run_firmware(embed_t *e, const struct run_port *port, const struct run_options *opt,
                             struct run_stats *st);

#ifdef __cplusplus
}
#endif
#endif /* RUN_H */
