/* check-hal: drives the POSIX HAL directly, without WAMR, for test/native.test.ts. Each command
 * calls HAL functions as the firmware would and prints their results, one fact per line.
 * Reference: hal/contract.json (expected results and error codes).
 *
 *   check-hal kv DIR write KEY TEXT | kv DIR read KEY CAP | kv DIR erase KEY
 *   check-hal random N               two fills of N bytes: lengths and whether they differ
 *   check-hal info KEY CAP           sys.info with board "test-board", host "test-host"
 *   check-hal events FILE JSON...    emits each JSON on a virtual clock 250 ms apart
 *   check-hal console                copies stdin to stdout through console.read/write until EOF
 *   check-hal udp                    two loopback sockets: send, receive, truncation, errors
 *   check-hal resolve NAME           resolve + resolve_result until done (5 s at most)
 *   check-hal inert                  the inert groups (audio, io) and the clock */
#define _GNU_SOURCE
#include "hal_posix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define U8(s) ((const uint8_t *)(s))

/* Sleeps without hal_posix_wait, which returns at once while an unread stdin is at its end. */
static void sleep_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
}

static void open_port(const char *state_dir, const char *events, bool virtual_clock)
{
    struct hal_posix_config cfg = { .state_dir = state_dir, .events_path = events, .board = "test-board",
                                    .host = "test-host", .virtual_clock = virtual_clock };
    char err[256];
    if (!hal_posix_open(&cfg, err, sizeof(err))) {
        fprintf(stderr, "check-hal: %s\n", err);
        exit(2);
    }
}

static int cmd_kv(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "erase") != 0 && argc < 4))
        return 2;
    const char *op = argv[1], *key = argv[2];
    open_port(argv[0], NULL, true);
    if (strcmp(op, "write") == 0) {
        printf("write %d\n", (int)hal_kv_write(U8(key), (uint32_t)strlen(key), U8(argv[3]), (uint32_t)strlen(argv[3])));
    } else if (strcmp(op, "read") == 0) {
        uint32_t cap = (uint32_t)atoi(argv[3]);
        uint8_t *buf = calloc(1, cap + 1);
        int32_t n = hal_kv_read(U8(key), (uint32_t)strlen(key), buf, cap);
        printf("read %d %.*s\n", (int)n, (int)(n < 0 ? 0 : (uint32_t)n < cap ? (uint32_t)n : cap), (char *)buf);
        free(buf);
    } else if (strcmp(op, "erase") == 0) {
        printf("erase %d\n", (int)hal_kv_erase(U8(key), (uint32_t)strlen(key)));
    } else {
        return 2;
    }
    return 0;
}

static int cmd_random(uint32_t n)
{
    uint8_t *a = calloc(1, n + 1), *b = calloc(1, n + 1);
    open_port(NULL, NULL, true);
    int32_t ra = hal_random_fill(a, n), rb = hal_random_fill(b, n);
    printf("fill %d %d differ %d\n", (int)ra, (int)rb, memcmp(a, b, n) != 0);
    free(a);
    free(b);
    return 0;
}

static int cmd_info(const char *key, uint32_t cap)
{
    char buf[128] = "";
    open_port(NULL, NULL, true);
    int32_t n = hal_sys_info(U8(key), (uint32_t)strlen(key), (uint8_t *)buf, cap < sizeof(buf) ? cap : sizeof(buf));
    printf("info %d %.*s\n", (int)n, (int)(n < 0 ? 0 : (uint32_t)n < cap ? (uint32_t)n : cap), buf);
    return 0;
}

static int cmd_events(const char *file, int count, char **json)
{
    open_port(NULL, file, true);
    for (int i = 0; i < count; i++) {
        hal_event_emit(U8(json[i]), (uint32_t)strlen(json[i]));
        hal_posix_wait(250);
    }
    hal_posix_close();
    return 0;
}

static int cmd_console(void)
{
    uint8_t buf[100];
    int idle = 0;
    open_port(NULL, NULL, false);
    /* stdin stays open until its EOF is read; then console.read answers 0 for good */
    while (idle < 10) {
        int32_t n = hal_console_read(buf, sizeof(buf));
        if (n < 0)
            return 1;
        if (n == 0) {
            idle++;
            hal_posix_wait(20);
            continue;
        }
        idle = 0;
        while (hal_console_write(buf, (uint32_t)n) == HAL_E_AGAIN)
            hal_posix_wait(10);
    }
    hal_posix_close();
    return 0;
}

/* Waits for one datagram on sock (real clock, 2 s at most); prints what udp_recv answered. */
static void recv_one(const char *label, int32_t sock, uint32_t cap)
{
    uint8_t buf[64] = { 0 }, from[6];
    int32_t n = HAL_E_AGAIN;
    for (int i = 0; i < 200 && n == HAL_E_AGAIN; i++) {
        n = hal_net_udp_recv(sock, buf, cap, from, sizeof(from));
        if (n == HAL_E_AGAIN)
            sleep_ms(10);
    }
    if (n < 0) {
        printf("%s %d\n", label, (int)n);
        return;
    }
    printf("%s %d from %u.%u.%u.%u:%u data %.*s\n", label, (int)n, from[0], from[1], from[2], from[3],
           (unsigned)(from[4] << 8 | from[5]), (int)((uint32_t)n < cap ? (uint32_t)n : cap), (char *)buf);
}

static int cmd_udp(void)
{
    const uint32_t lo = 0x7f000001;
    uint8_t buf[8], from[6];
    open_port(NULL, NULL, false);
    int32_t a = hal_net_udp_open(0), b = hal_net_udp_open(0);
    int32_t pa = hal_net_udp_local_port(a), pb = hal_net_udp_local_port(b);
    printf("open %d %d ports %s\n", a >= 0, b >= 0, pa > 0 && pb > 0 && pa != pb ? "ok" : "bad");
    printf("a port %d\n", (int)pa); /* compared with the source port of what b receives */
    printf("recv empty %d\n", (int)hal_net_udp_recv(b, buf, sizeof(buf), from, sizeof(from)));
    printf("send %d\n", (int)hal_net_udp_send(a, lo, pb, U8("hello"), 5));
    recv_one("recv", b, 64);
    printf("send %d\n", (int)hal_net_udp_send(a, lo, pb, U8("0123456789"), 10));
    recv_one("recv truncated", b, 4);
    printf("send empty %d\n", (int)hal_net_udp_send(a, lo, pb, U8(""), 0));
    recv_one("recv empty datagram", b, 64);
    printf("from too short %d\n", (int)hal_net_udp_recv(b, buf, sizeof(buf), from, 5));
    printf("send bad port %d\n", (int)hal_net_udp_send(a, lo, 0, U8("x"), 1));
    printf("open bad port %d\n", (int)hal_net_udp_open(70000));
    printf("open taken port %d\n", (int)hal_net_udp_open(pa));
    uint32_t ip = hal_net_local_ip(lo);
    printf("local ip %u.%u.%u.%u\n", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
    printf("close %d\n", (int)hal_net_udp_close(a));
    printf("close again %d\n", (int)hal_net_udp_close(a));
    printf("send closed %d\n", (int)hal_net_udp_send(a, lo, pb, U8("x"), 1));
    hal_posix_close();
    return 0;
}

static int cmd_resolve(const char *name)
{
    uint8_t addr[4] = { 0 };
    open_port(NULL, NULL, false);
    int32_t q = hal_net_resolve(U8(name), (uint32_t)strlen(name));
    int32_t r = HAL_E_AGAIN;
    for (int i = 0; i < 500 && r == HAL_E_AGAIN && q >= 0; i++) {
        r = hal_net_resolve_result(q, addr, sizeof(addr));
        if (r == HAL_E_AGAIN)
            sleep_ms(10);
    }
    printf("resolve %d result %d addr %u.%u.%u.%u\n", q >= 0, (int)r, addr[0], addr[1], addr[2], addr[3]);
    if (q >= 0)
        printf("released %d\n", (int)hal_net_resolve_result(q, addr, sizeof(addr)));
    hal_posix_close();
    return 0;
}

static int cmd_inert(void)
{
    uint8_t frame[320] = { 0 };
    open_port(NULL, NULL, true);
    printf("audio start %d\n", (int)hal_audio_start());
    printf("audio read %d\n", (int)hal_audio_read(frame, sizeof(frame)));
    printf("audio write %d\n", (int)hal_audio_write(frame, sizeof(frame)));
    printf("audio volume %d\n", (int)hal_audio_set_volume(50));
    printf("audio stop %d\n", (int)hal_audio_stop());
    printf("io find %d\n", (int)hal_io_find(U8("relay1"), 6));
    printf("io read %d\n", (int)hal_io_read(0));
    printf("io write %d\n", (int)hal_io_write(0, 1));
    int64_t t0 = hal_clock_now_ms();
    hal_posix_wait(1500);
    printf("clock %lld %lld\n", (long long)t0, (long long)hal_clock_now_ms());
    hal_sys_reboot();
    int first = hal_posix_take_reboot(), second = hal_posix_take_reboot();
    printf("reboot %d %d\n", first, second);
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    int rc = 2;
    if (strcmp(cmd, "kv") == 0)
        rc = cmd_kv(argc - 2, argv + 2);
    else if (strcmp(cmd, "random") == 0 && argc > 2)
        rc = cmd_random((uint32_t)atoi(argv[2]));
    else if (strcmp(cmd, "info") == 0 && argc > 3)
        rc = cmd_info(argv[2], (uint32_t)atoi(argv[3]));
    else if (strcmp(cmd, "events") == 0 && argc > 2)
        rc = cmd_events(argv[2], argc - 3, argv + 3);
    else if (strcmp(cmd, "console") == 0)
        rc = cmd_console();
    else if (strcmp(cmd, "udp") == 0)
        rc = cmd_udp();
    else if (strcmp(cmd, "resolve") == 0 && argc > 2)
        rc = cmd_resolve(argv[2]);
    else if (strcmp(cmd, "inert") == 0)
        rc = cmd_inert();
    if (rc == 2)
        fprintf(stderr, "usage: see the banner of hal/native/posix/check_hal.c\n");
    fflush(stdout);
    return rc;
}
