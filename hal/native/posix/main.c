/* intercom-posix: runs build/firmware.wasm under WAMR on Linux with the POSIX HAL.
 * Reference: docs/native.md (build, flags, the WAMR proof); common/run.h (the loop).
 *
 *   intercom-posix [options] firmware.wasm
 *     --ticks N          stop after N ticks (default: run until SIGINT/SIGTERM)
 *     --virtual          virtual clock: each wait jumps to the next wanted tick, so N ticks run
 *                        at once (hours of firmware time in milliseconds)
 *     --stop-on-trap     end at the first trap (exit 1) instead of restarting the firmware
 *     --state-dir DIR    kv storage in DIR/kv (default .intercom-state)
 *     --events FILE      append events there as JSON lines (default: stdout)
 *     --board NAME       sys.info board (default posix)
 *     --stack BYTES      WAMR interpreter stack (default 16384)
 *
 * The console is stdin/stdout, log lines and the closing summary go to stderr. Exit status:
 * 0 done without a trap, 1 trapped, 2 usage or start-up error. */
#define _GNU_SOURCE
#include "embed.h"
#include "hal_posix.h"
#include "run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void report(const char *line)
{
    hal_posix_report("host", line, (uint32_t)strlen(line));
}

static const struct run_port posix_port = {
    .now_ms = hal_clock_now_ms,
    .wait_ms = hal_posix_wait,
    .take_reboot = hal_posix_take_reboot,
    .report = report,
};


static int usage(void)
{
    fprintf(stderr, "usage: intercom-posix [--ticks N] [--virtual] [--stop-on-trap] [--state-dir DIR]\n"
                    "                      [--events FILE] [--board NAME] [--stack BYTES] firmware.wasm\n");
    return 2;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        return false;
    *out = v;
    return true;
}

int main(int argc, char **argv)
{
    struct hal_posix_config cfg = { 0 };
    struct run_options opt = { .trap_delay_ms = 1000, .reboot_delay_ms = 100, .stop = &stop_flag };
    struct run_stats st;
    struct hal_posix_stats hs;
    const char *path = NULL;
    uint64_t stack = 0;
    char err[EMBED_ERROR_MAX];
    uint32_t size = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "--ticks") == 0 && has_value) {
            if (!parse_u64(argv[++i], &opt.max_ticks))
                return usage();
        } else if (strcmp(a, "--virtual") == 0) {
            cfg.virtual_clock = true;
        } else if (strcmp(a, "--stop-on-trap") == 0) {
            opt.stop_on_trap = true;
        } else if (strcmp(a, "--state-dir") == 0 && has_value) {
            cfg.state_dir = argv[++i];
        } else if (strcmp(a, "--events") == 0 && has_value) {
            cfg.events_path = argv[++i];
        } else if (strcmp(a, "--board") == 0 && has_value) {
            cfg.board = argv[++i];
        } else if (strcmp(a, "--stack") == 0 && has_value) {
            if (!parse_u64(argv[++i], &stack) || stack > (64u << 20))
                return usage();
        } else if (a[0] == '-' || path) {
            return usage();
        } else {
            path = a;
        }
    }
    if (!path)
        return usage();

    uint8_t *wasm = hal_posix_read_file(path, &size);
    if (!wasm) {
        fprintf(stderr, "intercom-posix: cannot read %s\n", path);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    if (!embed_runtime_init(err, sizeof(err))) {
        fprintf(stderr, "intercom-posix: %s\n", err);
        return 2;
    }
    cfg.host = embed_runtime_version();
    if (!hal_posix_open(&cfg, err, sizeof(err))) {
        fprintf(stderr, "intercom-posix: %s\n", err);
        return 2;
    }
    embed_t *e = embed_open(wasm, size, (uint32_t)stack, err, sizeof(err));
    if (!e || !embed_fw_check(e)) {
        fprintf(stderr, "intercom-posix: %s: %s\n", path, e ? embed_error(e) : err);
        embed_close(e);
        hal_posix_close();
        return 2;
    }

    enum run_result r = run_firmware(e, &posix_port, &opt, &st);
    uint32_t pages = embed_memory_pages(e);
    if (r == RUN_FAILED)
        fprintf(stderr, "intercom-posix: cannot restart the firmware: %s\n", embed_error(e));
    hal_posix_close();
    hal_posix_get_stats(&hs);
    fprintf(stderr,
            "intercom-posix: %s, %s, wasm %u bytes: ticks %llu, boots %u, traps %u, reboots %u, panics %u, "
            "memory %u pages, watchdog feeds %llu, events %u, firmware time %lld ms, wait %d..%d ms\n",
            cfg.host, cfg.virtual_clock ? "virtual clock" : "real clock", (unsigned)size, (unsigned long long)st.ticks,
            (unsigned)st.boots, (unsigned)st.traps, (unsigned)st.reboots, (unsigned)hs.panics, (unsigned)pages,
            (unsigned long long)hs.watchdog_feeds, (unsigned)hs.events, (long long)hal_clock_now_ms(),
            st.ticks ? (int)st.wait_min : 0, (int)st.wait_max);
    embed_close(e);
    embed_runtime_destroy();
    free(wasm);
    return r == RUN_DONE && st.traps == 0 ? 0 : (r == RUN_FAILED ? 2 : 1);
}
