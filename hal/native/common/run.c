/* The host's main loop (see run.h). Engine-neutral: the engine is behind embed.h, the hardware
 * behind struct run_port. */
#include "run.h"

#include <stdio.h>
#include <string.h>

static bool stopped(const struct run_options *opt, const struct run_stats *st)
{
    if (opt->stop && *opt->stop)
        return true;
    return opt->max_ticks != 0 && st->ticks >= opt->max_ticks;
}

/* Reports a trap; true when the run goes on (the caller restarts after the delay). */
static bool on_trap(embed_t *e, const struct run_port *port, const struct run_options *opt,
                    struct run_stats *st)
{
    char line[EMBED_ERROR_MAX + 64];
    st->traps++;
    snprintf(line, sizeof(line), "firmware trapped after %llu ticks: %s", (unsigned long long)st->ticks,
             embed_error(e));
    port->report(line);
    return !opt->stop_on_trap;
}

/* Instantiates again (unless this is the first boot) and calls init. */
static bool boot(embed_t *e, bool again, struct run_stats *st)
{
    if (again && !embed_restart(e))
        return false;
    st->boots++;
    return true;
}

enum run_result run_firmware(embed_t *e, const struct run_port *port, const struct run_options *opt,
                             struct run_stats *st)
{
    bool again = false;
    memset(st, 0, sizeof(*st));
    st->wait_min = INT32_MAX;

    while (!stopped(opt, st)) {
        if (!boot(e, again, st))
            return RUN_FAILED;
        again = true;
        if (!embed_fw_init(e)) {
            if (!on_trap(e, port, opt, st))
                return RUN_TRAPPED;
            port->wait_ms(opt->trap_delay_ms);
            continue;
        }
        for (;;) {
            int32_t wait = 0;
            if (!embed_fw_tick(e, port->now_ms(), &wait)) {
                if (!on_trap(e, port, opt, st))
                    return RUN_TRAPPED;
                port->wait_ms(opt->trap_delay_ms);
                break;
            }
            st->ticks++;
            if (wait < st->wait_min)
                st->wait_min = wait;
            if (wait > st->wait_max)
                st->wait_max = wait;
            if (port->take_reboot()) {
                st->reboots++;
                port->report("firmware asked for a reboot");
                port->wait_ms(opt->reboot_delay_ms);
                break;
            }
            if (stopped(opt, st))
                return RUN_DONE;
            port->wait_ms(wait > 0 ? wait : 0);
        }
    }
    return RUN_DONE;
}
