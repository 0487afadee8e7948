/* intercom-bench: measures the kernels of build/bench.wasm under WAMR, so the same file is
 * measured on V8 (npm run bench) and here. Reference: shared ARCHITECTURE.md "Benchmarks" (the
 * kernel contract); docs/native.md (inputs, so that checksums can be compared across engines).
 *
 *   intercom-bench [--min-ms N] [--sip FILE] [--json] bench.wasm
 *
 * Each kernel is timed at a repetition count that makes one call last at least --min-ms
 * (default 200), best of 3 calls. Kernels the module does not export are skipped and named.
 * Checksums are those of one repetition (reps = 1, frames = 50), independent of the timing. */
#define _GNU_SOURCE
#include "embed.h"
#include "hal_posix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BUF_SIZE 65536
#define G711_N 160      /* one 20 ms frame at 8 kHz */
#define G711_OUT 4096   /* output offset in the scratch buffer */
#define SIP_MAX 8192

/* A typical INVITE with SDP, as a door unit receives it from a PBX (RFC 3261 section 7). */
static const char default_sip[] =
    "INVITE sip:door@192.168.1.50:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK-524287-1---a4b6c8d0e2f4;rport\r\n"
    "Max-Forwards: 70\r\n"
    "Contact: <sip:1002@192.168.1.10:5060;transport=udp>\r\n"
    "To: <sip:door@192.168.1.50>\r\n"
    "From: \"Reception\" <sip:1002@pbx.example.com>;tag=8f3c2a17\r\n"
    "Call-ID: 6a1f0e3b9c7d4e2f8a5b1c0d3e6f9a2b@192.168.1.10\r\n"
    "CSeq: 1 INVITE\r\n"
    "Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE\r\n"
    "Content-Type: application/sdp\r\n"
    "Supported: replaces, norefersub, timer\r\n"
    "User-Agent: Example PBX 1.0\r\n"
    "Content-Length: 226\r\n"
    "\r\n"
    "v=0\r\n"
    "o=- 3848215829 3848215829 IN IP4 192.168.1.10\r\n"
    "s=-\r\n"
    "c=IN IP4 192.168.1.10\r\n"
    "t=0 0\r\n"
    "m=audio 40000 RTP/AVP 0 8 101\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-16\r\n"
    "a=sendrecv\r\n";

struct bench {
    embed_t *e;
    uint32_t buf;   /* scratch buffer in linear memory */
    double min_s;
    bool json;
};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Calls name(args..., reps) with argv[reps_at] = reps; returns seconds, or -1 on a trap. */
static double timed_call(struct bench *b, const char *name, uint32_t *args, uint32_t argc, uint32_t reps_at,
                         uint32_t reps, int32_t *checksum)
{
    uint32_t argv[8];
    memcpy(argv, args, argc * sizeof(uint32_t));
    argv[reps_at] = reps;
    double t0 = now_s();
    if (!embed_call(b->e, name, argc, argv))
        return -1;
    double t = now_s() - t0;
    if (checksum)
        *checksum = (int32_t)argv[0];
    return t;
}

static void print_row(struct bench *b, const char *kernel, const char *unit, double rate, int32_t checksum,
                      uint32_t reps)
{
    if (b->json) {
        printf("{\"engine\":\"%s\",\"kernel\":\"%s\",\"unit\":\"%s\",\"per_s\":%.1f,\"checksum\":%d,\"reps\":%u}\n",
               embed_runtime_version(), kernel, unit, rate, (int)checksum, (unsigned)reps);
        return;
    }
    char per_s[24], per_unit[24];
    snprintf(per_s, sizeof(per_s), "%s/s", unit);
    snprintf(per_unit, sizeof(per_unit), "ns/%s", unit);
    printf("%-18s %10.3f M %-10s %10.1f %-11s checksum %08x\n", kernel, rate / 1e6, per_s, 1e9 / rate, per_unit,
           (unsigned)checksum);
}

/* Times one kernel: grows reps until a call lasts min_s, then keeps the best of 3. */
static void run_kernel(struct bench *b, const char *label, const char *unit, const char *name, uint32_t *args,
                       uint32_t argc, uint32_t reps_at, double units_per_rep, uint32_t checksum_reps)
{
    int32_t checksum = 0;
    uint32_t reps = 1;
    double t, best;

    if (timed_call(b, name, args, argc, reps_at, checksum_reps, &checksum) < 0) {
        fprintf(stderr, "intercom-bench: %s: %s\n", label, embed_error(b->e));
        return;
    }
    while ((t = timed_call(b, name, args, argc, reps_at, reps, NULL)) >= 0 && t < b->min_s && reps < (1u << 30)) {
        double next = t < b->min_s / 64 ? reps * 16.0 : reps * (b->min_s * 1.2 / t) + 1;
        reps = next < (double)(1u << 30) ? (uint32_t)next : (1u << 30);
    }
    best = t;
    for (int i = 0; i < 2 && t >= 0; i++)
        if ((t = timed_call(b, name, args, argc, reps_at, reps, NULL)) >= 0 && t < best)
            best = t;
    if (t < 0) {
        fprintf(stderr, "intercom-bench: %s: %s\n", label, embed_error(b->e));
        return;
    }
    print_row(b, label, unit, units_per_rep * reps / best, checksum, reps);
}

/* Encode input: 16-bit samples from the LCG x = x * 1103515245 + 12345 (x0 = 1), sample = x >> 16;
 * decode input: the codes 0, 1, ..., 159. Both written little-endian at the buffer's start. */
static bool fill_g711(struct bench *b, int op)
{
    uint8_t *p = embed_memory(b->e, b->buf, G711_OUT + 2 * G711_N);
    uint32_t x = 1;
    if (!p)
        return false;
    for (int i = 0; i < G711_N; i++) {
        x = x * 1103515245u + 12345u;
        if (op == 0) {
            p[2 * i] = (uint8_t)(x >> 16);
            p[2 * i + 1] = (uint8_t)(x >> 24);
        } else {
            p[i] = (uint8_t)i;
        }
    }
    return true;
}

static void bench_g711(struct bench *b)
{
    static const char *const labels[2][2] = { { "g711 ulaw encode", "g711 ulaw decode" },
                                              { "g711 alaw encode", "g711 alaw decode" } };
    for (uint32_t law = 0; law < 2; law++) {
        for (uint32_t op = 0; op < 2; op++) {
            uint32_t args[6] = { law, op, b->buf, b->buf + G711_OUT, G711_N, 0 };
            if (!fill_g711(b, (int)op))
                return;
            run_kernel(b, labels[law][op], "sample", "bench_g711", args, 6, 5, G711_N, 1);
        }
    }
}

static void bench_sip(struct bench *b, const char *path)
{
    static char msg[SIP_MAX];
    size_t len = sizeof(default_sip) - 1;
    uint8_t *p;

    if (path) {
        FILE *f = fopen(path, "rb");
        if (!f || (len = fread(msg, 1, sizeof(msg), f)) == 0) {
            fprintf(stderr, "intercom-bench: cannot read %s\n", path);
            if (f)
                fclose(f);
            return;
        }
        fclose(f);
    } else {
        memcpy(msg, default_sip, len);
    }
    p = embed_memory(b->e, b->buf, (uint32_t)len);
    if (!p)
        return;
    memcpy(p, msg, len);
    uint32_t args[3] = { b->buf, (uint32_t)len, 0 };
    run_kernel(b, "sip parse", "message", "bench_sip_parse", args, 3, 2, 1, 1);
}


int main(int argc, char **argv)
{
    struct bench b = { .min_s = 0.2 };
    struct hal_posix_config cfg = { .board = "bench" };
    const char *path = NULL, *sip = NULL;
    char err[EMBED_ERROR_MAX], skipped[256] = "";
    uint32_t size = 0;
    bool bad = false;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--min-ms") == 0 && i + 1 < argc)
            b.min_s = atof(argv[++i]) / 1000.0;
        else if (strcmp(argv[i], "--sip") == 0 && i + 1 < argc)
            sip = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            b.json = true;
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else
            bad = true;
    }
    if (bad || !path || b.min_s <= 0) {
        fprintf(stderr, "usage: intercom-bench [--min-ms N] [--sip FILE] [--json] bench.wasm\n");
        return 2;
    }
    uint8_t *wasm = hal_posix_read_file(path, &size);
    if (!wasm) {
        fprintf(stderr, "intercom-bench: cannot read %s\n", path);
        return 2;
    }
    if (!embed_runtime_init(err, sizeof(err))) {
        fprintf(stderr, "intercom-bench: %s\n", err);
        return 2;
    }
    cfg.host = embed_runtime_version();
    if (!hal_posix_open(&cfg, err, sizeof(err)) || !(b.e = embed_open(wasm, size, 0, err, sizeof(err)))) {
        fprintf(stderr, "intercom-bench: %s\n", err);
        return 2;
    }
    uint32_t arg = BUF_SIZE;
    if (!embed_call(b.e, "bench_buffer", 1, &arg)) {
        fprintf(stderr, "intercom-bench: bench_buffer: %s\n", embed_error(b.e));
        return 2;
    }
    b.buf = arg;
    if (!b.json)
        printf("intercom-bench: %s, %s %u bytes, scratch buffer at %u\n", embed_runtime_version(), path,
               (unsigned)size, (unsigned)b.buf);

    if (embed_has_export(b.e, "bench_g711"))
        bench_g711(&b);
    else
        strcat(skipped, " bench_g711");
    if (embed_has_export(b.e, "bench_sip_parse"))
        bench_sip(&b, sip);
    else
        strcat(skipped, " bench_sip_parse");
    if (embed_has_export(b.e, "bench_media")) {
        uint32_t args[1] = { 0 };
        run_kernel(&b, "media path", "frame", "bench_media", args, 1, 0, 1, 50);
    } else {
        strcat(skipped, " bench_media");
    }
    if (skipped[0])
        fprintf(stderr, "intercom-bench: not exported, skipped:%s\n", skipped);

    embed_close(b.e);
    hal_posix_close();
    embed_runtime_destroy();
    free(wasm);
    return 0;
}
