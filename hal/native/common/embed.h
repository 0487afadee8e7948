/* Embedding of build/firmware.wasm (and build/bench.wasm) in WAMR: runtime start, module load with
 * an import check, instantiation, the firmware's init/tick entry points, traps as text.
 * Reference: WAMR core/iwasm/include/wasm_export.h and doc/embed_wamr.md.
 *
 * This header does not include WAMR's: ports (posix, esp32) and the run loop see only these
 * functions, and embed.c is the one file that speaks to the engine. Every call that can fail
 * returns false (or NULL) and leaves a one-line reason in embed_error() or the caller's buffer. */
#ifndef EMBED_H
#define EMBED_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest error text kept, including the terminating NUL. */
#define EMBED_ERROR_MAX 256
/* WAMR interpreter stack (frames and operands) per instance when the caller passes 0, bytes. */
#define EMBED_DEFAULT_STACK 16384

typedef struct embed embed_t;

/* Starts the runtime (system allocator) and registers the HAL natives under module "hal".
 * Call once, before embed_open. Returns false with the reason in err. */
bool embed_runtime_init(char *err, uint32_t err_len);

/* Stops the runtime; every embed_t must be closed first. */
void embed_runtime_destroy(void);

/* "wamr <major>.<minor>.<patch>" of the linked runtime (static storage). */
const char *embed_runtime_version(void);

/* Loads a module, checks that every import resolved to a HAL native of the right type and
 * instantiates it with no app heap (AssemblyScript manages its own heap in linear memory).
 * wasm must stay allocated and writable until embed_close: WAMR keeps pointers into it and may
 * rewrite it in place. stack_size 0 means EMBED_DEFAULT_STACK.
 * Returns NULL with the reason in err: a load error, or every unlinked import by name. */
embed_t *embed_open(uint8_t *wasm, uint32_t size, uint32_t stack_size, char *err, uint32_t err_len);

/* Releases the instance and the module. NULL is ignored. */
void embed_close(embed_t *e);

/* Throws the instance away and instantiates the module again, as a reset would (after a trap or
 * hal.sys_reboot). Linear memory starts over from the data segments. False when instantiation
 * fails (see embed_error). */
bool embed_restart(embed_t *e);

/* The reason the last failing call on e failed. */
const char *embed_error(const embed_t *e);

/* True when the instance exports the firmware's entry points init() and tick(i64) -> i32 with
 * exactly these types; otherwise embed_error names the missing one. */
bool embed_fw_check(embed_t *e);

/* Calls init() (after embed_fw_check, which it does itself if needed). False when an entry point
 * is missing or init trapped (the trap text in embed_error). */
bool embed_fw_init(embed_t *e);

/* Calls tick(now_ms). On success *wait_ms is the firmware's answer: milliseconds until it wants
 * the next tick. False when tick trapped (embed_error has the trap); the instance is then unusable
 * until embed_restart. */
bool embed_fw_tick(embed_t *e, int64_t now_ms, int32_t *wait_ms);

/* True when the instance exports a function of that name. */
bool embed_has_export(embed_t *e, const char *name);

/* Calls an exported function with argc 32-bit argument cells (an i64 takes two, low cell first);
 * results replace argv[0..]. False when the export is missing or the call trapped. */
bool embed_call(embed_t *e, const char *name, uint32_t argc, uint32_t argv[]);

/* Native address of [offset, offset + size) in linear memory, or NULL when out of bounds.
 * Valid until the next call into the module (a call can grow memory and move it). */
void *embed_memory(embed_t *e, uint32_t offset, uint32_t size);

/* Current size of linear memory in 64 KiB pages. */
uint32_t embed_memory_pages(embed_t *e);

#ifdef __cplusplus
}
#endif
#endif /* EMBED_H */
