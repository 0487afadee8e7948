/* The POSIX port of the HAL: clock, random, console, log, event, sys, audio and io.
 * Reference: hal/contract.json (docs and error codes), POSIX.1-2008, Linux getrandom(2),
 * machine-id(5). kv is in hal_posix_kv.c, net in hal_posix_net.c.
 *
 *   real   clock   CLOCK_MONOTONIC ms since hal_posix_open (or a virtual clock moved by the loop)
 *   real   random  getrandom(2)
 *   real   console stdin polled without blocking; stdout through a bounded queue flushed only
 *                  when poll(2) says it is writable (full queue: E_AGAIN)
 *   real   log     stderr, one write per line: "<s.ms> <level>: <text>"
 *   real   event   JSON lines with "seq" and "t" added, on stdout (same queue as the console) or
 *                  appended to a file
 *   real   sys     reboot flag taken by the run loop; info board/host/serial; panic on stderr
 *   inert  sys     watchdog_feed only counts (no watchdog on a PC)
 *   inert  audio   start and set_volume E_UNSUPPORTED, read/write E_BADF, stop OK
 *   inert  io      find E_NOTFOUND, read/write E_BADF (board files come with a later issue) */
#define _GNU_SOURCE
#include "hal_posix.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define OUT_CAP 16384
#define EVENT_LINE_MAX 1024
#define INFO_MAX 64
#define POLL_MAX 20

static struct {
    bool virtual_clock;
    int64_t virtual_now;
    struct timespec start;
    bool stdin_open;
    int events_fd; /* -1: stdout queue */
    bool reboot;
    char board[INFO_MAX];
    char host[INFO_MAX];
    char serial[INFO_MAX];
    uint8_t out[OUT_CAP];
    uint32_t out_len;
    bool out_broken;
    struct hal_posix_stats stats;
} P = { .events_fd = -1 };

/* ---- clock */

static int64_t real_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)(t.tv_sec - P.start.tv_sec) * 1000 + (t.tv_nsec - P.start.tv_nsec) / 1000000;
}

int64_t hal_clock_now_ms(void)
{
    return P.virtual_clock ? P.virtual_now : real_ms();
}

/* ---- random */

int32_t hal_random_fill(uint8_t *buf, uint32_t buf_len)
{
    uint32_t done = 0;
    while (done < buf_len) {
        ssize_t n = getrandom(buf + done, buf_len - done, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return HAL_E_IO;
        done += (uint32_t)n;
    }
    return (int32_t)buf_len;
}

/* ---- console: stdout queue */

/* Writes as much queued output as stdout takes now (timeout_ms > 0 waits that long for it). */
static void flush_out(int timeout_ms)
{
    while (P.out_len > 0 && !P.out_broken) {
        struct pollfd pfd = { .fd = STDOUT_FILENO, .events = POLLOUT };
        if (poll(&pfd, 1, timeout_ms) <= 0)
            return;
        ssize_t n = write(STDOUT_FILENO, P.out, P.out_len < 4096 ? P.out_len : 4096);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            P.out_broken = true; /* EPIPE and the like: the reader is gone */
            P.out_len = 0;
            return;
        }
        memmove(P.out, P.out + n, P.out_len - (uint32_t)n);
        P.out_len -= (uint32_t)n;
    }
}

/* Queues bytes whole or not at all. */
static int32_t queue_out(const uint8_t *data, uint32_t len)
{
    if (P.out_broken)
        return HAL_E_IO;
    if (len > OUT_CAP - P.out_len) {
        flush_out(0);
        if (len > OUT_CAP - P.out_len)
            return HAL_E_AGAIN;
    }
    memcpy(P.out + P.out_len, data, len);
    P.out_len += len;
    flush_out(0);
    return (int32_t)len;
}

int32_t hal_console_read(uint8_t *buf, uint32_t buf_len)
{
    struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
    if (!P.stdin_open || buf_len == 0)
        return 0;
    if (poll(&pfd, 1, 0) <= 0)
        return 0;
    ssize_t n = read(STDIN_FILENO, buf, buf_len);
    if (n == 0) {
        P.stdin_open = false; /* end of input: the console stays silent from now on */
        return 0;
    }
    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : HAL_E_IO;
    P.stats.console_in += (uint64_t)n;
    return (int32_t)n;
}

int32_t hal_console_write(const uint8_t *data, uint32_t data_len)
{
    int32_t r = queue_out(data, data_len);
    if (r > 0)
        P.stats.console_out += (uint64_t)r;
    return r;
}

/* ---- log */

void hal_posix_report(const char *what, const char *text, uint32_t len)
{
    char line[1200];
    int64_t t = hal_clock_now_ms();
    int n = snprintf(line, sizeof(line), "%lld.%03lld %s: ", (long long)(t / 1000), (long long)(t % 1000), what);
    if (n < 0)
        return;
    if (len > sizeof(line) - (size_t)n - 1)
        len = (uint32_t)(sizeof(line) - (size_t)n - 1);
    memcpy(line + n, text, len);
    line[(size_t)n + len] = '\n';
    ssize_t w = write(STDERR_FILENO, line, (size_t)n + len + 1);
    (void)w; /* nowhere left to report a failing stderr */
}

void hal_log_write(int32_t level, const uint8_t *msg, uint32_t msg_len)
{
    static const char *const names[] = { "error", "warn", "info", "debug", "trace" };
    hal_posix_report(level >= 0 && level <= 4 ? names[level] : "log", (const char *)msg, msg_len);
}

/* ---- event */

void hal_event_emit(const uint8_t *json, uint32_t json_len)
{
    char line[EVENT_LINE_MAX];
    int n;

    /* {"type":...} becomes {"seq":N,"t":MS,"type":...}, as host-sim numbers and stamps events. */
    if (json_len < 2 || json[0] != '{') {
        P.stats.events_dropped++;
        return;
    }
    n = snprintf(line, sizeof(line), "{\"seq\":%u,\"t\":%lld%s", (unsigned)P.stats.events + 1,
                 (long long)hal_clock_now_ms(), json_len > 2 ? "," : "");
    if (n < 0 || json_len > sizeof(line) - (size_t)n) { /* json minus '{', plus '\n' */
        P.stats.events_dropped++;
        return;
    }
    P.stats.events++;
    memcpy(line + n, json + 1, json_len - 1);
    n += (int)json_len - 1;
    line[n++] = '\n';
    if (P.events_fd >= 0) {
        if (write(P.events_fd, line, (size_t)n) != n)
            P.stats.events_dropped++;
    } else if (queue_out((const uint8_t *)line, (uint32_t)n) < 0) {
        P.stats.events_dropped++;
    }
}

/* ---- sys */

void hal_sys_reboot(void)
{
    P.reboot = true;
}

void hal_sys_watchdog_feed(void)
{
    P.stats.watchdog_feeds++;
}

int32_t hal_sys_info(const uint8_t *key, uint32_t key_len, uint8_t *buf, uint32_t buf_len)
{
    const char *v = NULL;
    if (key_len == 5 && memcmp(key, "board", 5) == 0)
        v = P.board;
    else if (key_len == 4 && memcmp(key, "host", 4) == 0)
        v = P.host;
    else if (key_len == 6 && memcmp(key, "serial", 6) == 0)
        v = P.serial;
    if (!v)
        return HAL_E_NOTFOUND;
    size_t len = strlen(v);
    memcpy(buf, v, len < buf_len ? len : buf_len);
    return (int32_t)len;
}

void hal_sys_panic(const uint8_t *file, uint32_t file_len, int32_t line, const uint8_t *msg, uint32_t msg_len)
{
    char text[512];
    int n = snprintf(text, sizeof(text), "%.*s:%d: %.*s", (int)(file_len > 200 ? 200 : file_len), (const char *)file,
                     (int)line, (int)(msg_len > 250 ? 250 : msg_len), (const char *)msg);
    P.stats.panics++;
    hal_posix_report("panic", text, n > 0 ? (uint32_t)n : 0);
}

/* ---- audio: inert (a later issue brings ALSA) */

int32_t hal_audio_start(void) { return HAL_E_UNSUPPORTED; }
int32_t hal_audio_stop(void) { return HAL_OK; }
int32_t hal_audio_read(uint8_t *buf, uint32_t buf_len) { (void)buf; (void)buf_len; return HAL_E_BADF; }
int32_t hal_audio_write(const uint8_t *data, uint32_t data_len) { (void)data; (void)data_len; return HAL_E_BADF; }
int32_t hal_audio_set_volume(int32_t percent) { (void)percent; return HAL_E_UNSUPPORTED; }

/* ---- io: inert (a later issue maps board files to GPIO) */

int32_t hal_io_find(const uint8_t *name, uint32_t name_len) { (void)name; (void)name_len; return HAL_E_NOTFOUND; }
int32_t hal_io_read(int32_t handle) { (void)handle; return HAL_E_BADF; }
int32_t hal_io_write(int32_t handle, int32_t value) { (void)handle; (void)value; return HAL_E_BADF; }

/* ---- port API (hal_posix.h) */

/* A stable serial that does not expose machine-id itself (machine-id(5) asks applications to
 * derive their own id from it): FNV-1a 64 over "sip-intercom:" and the id. */
static void derive_serial(char *out, size_t cap)
{
    static const char *const files[] = { "/etc/machine-id", "/var/lib/dbus/machine-id" };
    char id[128] = "";
    uint64_t h = 0xcbf29ce484222325ull;
    const char *salt = "sip-intercom:";

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && id[0] == '\0'; i++) {
        FILE *f = fopen(files[i], "r");
        if (!f)
            continue;
        if (!fgets(id, sizeof(id), f))
            id[0] = '\0';
        fclose(f);
    }
    if (id[0] == '\0' && gethostname(id, sizeof(id) - 1) != 0)
        strcpy(id, "unknown");
    for (const char *p = salt; *p; p++)
        h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
    for (const char *p = id; *p && *p != '\n'; p++)
        h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
    snprintf(out, cap, "posix-%016llx", (unsigned long long)h);
}

bool hal_posix_open(const struct hal_posix_config *cfg, char *err, uint32_t err_len)
{
    clock_gettime(CLOCK_MONOTONIC, &P.start);
    P.virtual_clock = cfg->virtual_clock;
    P.virtual_now = 0;
    P.stdin_open = true;
    P.reboot = false;
    P.out_len = 0;
    P.out_broken = false;
    memset(&P.stats, 0, sizeof(P.stats));
    snprintf(P.board, sizeof(P.board), "%s", cfg->board ? cfg->board : "posix");
    snprintf(P.host, sizeof(P.host), "%s", cfg->host ? cfg->host : "posix");
    if (cfg->serial)
        snprintf(P.serial, sizeof(P.serial), "%s", cfg->serial);
    else
        derive_serial(P.serial, sizeof(P.serial));
    P.events_fd = -1;
    if (cfg->events_path && strcmp(cfg->events_path, "-") != 0) {
        P.events_fd = open(cfg->events_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (P.events_fd < 0) {
            snprintf(err, err_len, "cannot open %s: %s", cfg->events_path, strerror(errno));
            return false;
        }
    }
    return hal_posix_kv_set_dir(cfg->state_dir ? cfg->state_dir : ".intercom-state", err, err_len);
}

void hal_posix_close(void)
{
    flush_out(1000);
    hal_posix_net_close_all();
    if (P.events_fd >= 0)
        close(P.events_fd);
    P.events_fd = -1;
}

void hal_posix_wait(int32_t ms)
{
    if (P.virtual_clock) {
        P.virtual_now += ms;
        flush_out(0);
        return;
    }
    int64_t deadline = real_ms() + ms;
    for (;;) {
        struct pollfd fds[POLL_MAX];
        int n = 0, inputs;
        flush_out(0);
        if (P.stdin_open)
            fds[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
        n += hal_posix_net_pollfds(fds + n, POLL_MAX - 1 - n);
        inputs = n;
        if (P.out_len > 0 && !P.out_broken)
            fds[n++] = (struct pollfd){ .fd = STDOUT_FILENO, .events = POLLOUT };
        int64_t left = deadline - real_ms();
        if (left <= 0 || poll(fds, (nfds_t)n, (int)left) <= 0)
            return; /* timeout or signal */
        for (int i = 0; i < inputs; i++)
            if (fds[i].revents)
                return; /* input (or its end): tick now */
    }
}

bool hal_posix_take_reboot(void)
{
    bool r = P.reboot;
    P.reboot = false;
    return r;
}

void hal_posix_get_stats(struct hal_posix_stats *st)
{
    *st = P.stats;
}

/* Reads a whole file into a writable heap buffer (WAMR may rewrite the bytes in place). */
uint8_t *hal_posix_read_file(const char *path, uint32_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long len;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && len < (64L << 20) && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)len);
        if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
            free(buf);
            buf = NULL;
        }
        *size = (uint32_t)len;
    }
    fclose(f);
    return buf;
}

