/* Embedding of the firmware in WAMR: the one file of the project that calls the engine.
 * Reference: WAMR core/iwasm/include/wasm_export.h, doc/embed_wamr.md; docs/native.md.
 *
 * AssemblyScript modules are instantiated with app heap size 0: with a WAMR app heap inside
 * linear memory, AS's own allocator would overwrite it (shared/TOOLCHAIN.md). Natives are
 * registered before any load, because WAMR resolves imports at load time and leaves an import
 * whose name or signature does not match unlinked; embed_open refuses such a module. */
#include "embed.h"
#include "hal_contract.h"
#include "wasm_export.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct embed {
    wasm_module_t module;
    wasm_module_inst_t inst;
    wasm_exec_env_t env;
    wasm_function_inst_t init;
    wasm_function_inst_t tick;
    uint32_t stack_size;
    char error[EMBED_ERROR_MAX];
};

static void set_error(char *buf, uint32_t len, const char *fmt, ...)
{
    va_list ap;
    if (!buf || len == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

bool embed_runtime_init(char *err, uint32_t err_len)
{
    RuntimeInitArgs args;
    memset(&args, 0, sizeof(args));
    args.mem_alloc_type = Alloc_With_System_Allocator;
    if (!wasm_runtime_full_init(&args)) {
        set_error(err, err_len, "wasm_runtime_full_init failed");
        return false;
    }
    /* WAMR logs to stdout, which carries the console and events; unlinked imports are reported
     * by embed_open with their reason, so only errors are left to WAMR's log. */
    wasm_runtime_set_log_level(WASM_LOG_LEVEL_ERROR);
    if (!hal_register_natives()) {
        set_error(err, err_len, "registering the %d HAL natives failed", hal_native_count());
        wasm_runtime_destroy();
        return false;
    }
    return true;
}

void embed_runtime_destroy(void)
{
    wasm_runtime_destroy();
}

const char *embed_runtime_version(void)
{
    static char text[32];
    uint32_t major = 0, minor = 0, patch = 0;
    wasm_runtime_get_version(&major, &minor, &patch);
    snprintf(text, sizeof(text), "wamr %u.%u.%u", (unsigned)major, (unsigned)minor, (unsigned)patch);
    return text;
}

/* Lists every import WAMR could not link ("hal.foo, env.abort"); false when there is one. */
static bool check_imports(wasm_module_t module, char *err, uint32_t err_len)
{
    int32_t count = wasm_runtime_get_import_count(module);
    int32_t unlinked = 0;
    char names[EMBED_ERROR_MAX];
    size_t used = 0;

    names[0] = '\0';
    for (int32_t i = 0; i < count; i++) {
        wasm_import_t imp;
        memset(&imp, 0, sizeof(imp));
        wasm_runtime_get_import_type(module, i, &imp);
        if (imp.kind == WASM_IMPORT_EXPORT_KIND_FUNC && imp.linked)
            continue;
        unlinked++;
        if (used < sizeof(names)) {
            /* A native of that name that did not link has a signature other than the import's. */
            const char *why = imp.kind != WASM_IMPORT_EXPORT_KIND_FUNC ? "not a function"
                              : wasm_runtime_is_import_func_linked(imp.module_name, imp.name) ? "type differs"
                                                                                              : "no such native";
            int n = snprintf(names + used, sizeof(names) - used, "%s%s.%s (%s)", unlinked > 1 ? ", " : "",
                             imp.module_name, imp.name, why);
            used += n > 0 ? (size_t)n : 0;
        }
    }
    if (count < 0) {
        set_error(err, err_len, "cannot read the module's imports");
        return false;
    }
    if (unlinked > 0) {
        set_error(err, err_len, "%d of %d imports unlinked: %s", (int)unlinked, (int)count, names);
        return false;
    }
    return true;
}

static bool instantiate(embed_t *e)
{
    e->init = NULL;
    e->tick = NULL;
    e->inst = wasm_runtime_instantiate(e->module, e->stack_size, 0, e->error, sizeof(e->error));
    if (!e->inst)
        return false;
    e->env = wasm_runtime_create_exec_env(e->inst, e->stack_size);
    if (!e->env) {
        set_error(e->error, sizeof(e->error), "cannot create an exec env with a %u-byte stack",
                  (unsigned)e->stack_size);
        wasm_runtime_deinstantiate(e->inst);
        e->inst = NULL;
        return false;
    }
    return true;
}

static void deinstantiate(embed_t *e)
{
    if (e->env)
        wasm_runtime_destroy_exec_env(e->env);
    if (e->inst)
        wasm_runtime_deinstantiate(e->inst);
    e->env = NULL;
    e->inst = NULL;
}

embed_t *embed_open(uint8_t *wasm, uint32_t size, uint32_t stack_size, char *err, uint32_t err_len)
{
    embed_t *e = calloc(1, sizeof(*e));
    if (!e) {
        set_error(err, err_len, "out of memory");
        return NULL;
    }
    e->stack_size = stack_size ? stack_size : EMBED_DEFAULT_STACK;
    e->module = wasm_runtime_load(wasm, size, e->error, sizeof(e->error));
    if (!e->module) {
        set_error(err, err_len, "load failed: %s", e->error);
        free(e);
        return NULL;
    }
    if (!check_imports(e->module, err, err_len)) {
        wasm_runtime_unload(e->module);
        free(e);
        return NULL;
    }
    if (!instantiate(e)) {
        set_error(err, err_len, "instantiation failed: %s", e->error);
        wasm_runtime_unload(e->module);
        free(e);
        return NULL;
    }
    return e;
}

void embed_close(embed_t *e)
{
    if (!e)
        return;
    deinstantiate(e);
    wasm_runtime_unload(e->module);
    free(e);
}

bool embed_restart(embed_t *e)
{
    deinstantiate(e);
    return instantiate(e);
}

const char *embed_error(const embed_t *e)
{
    return e->error;
}

/* Records the pending exception of the instance as "<what>: <exception>" and clears it. */
static bool trapped(embed_t *e, const char *what)
{
    const char *x = wasm_runtime_get_exception(e->inst);
    set_error(e->error, sizeof(e->error), "%s: %s", what, x ? x : "unknown exception");
    wasm_runtime_clear_exception(e->inst);
    return false;
}

/* True when f has exactly the given parameter and result kinds. */
static bool has_type(embed_t *e, wasm_function_inst_t f, uint32_t np, const wasm_valkind_t *params,
                     uint32_t nr, const wasm_valkind_t *results)
{
    wasm_valkind_t kinds[4];
    if (wasm_func_get_param_count(f, e->inst) != np || wasm_func_get_result_count(f, e->inst) != nr)
        return false;
    wasm_func_get_param_types(f, e->inst, kinds);
    if (memcmp(kinds, params, np) != 0)
        return false;
    wasm_func_get_result_types(f, e->inst, kinds);
    return memcmp(kinds, results, nr) == 0;
}

bool embed_fw_check(embed_t *e)
{
    static const wasm_valkind_t tick_params[1] = { WASM_I64 };
    static const wasm_valkind_t tick_results[1] = { WASM_I32 };

    e->init = wasm_runtime_lookup_function(e->inst, "init");
    e->tick = wasm_runtime_lookup_function(e->inst, "tick");
    if (!e->init || !has_type(e, e->init, 0, NULL, 0, NULL)) {
        set_error(e->error, sizeof(e->error), "the module has no export init(): void");
        e->init = NULL;
        return false;
    }
    if (!e->tick || !has_type(e, e->tick, 1, tick_params, 1, tick_results)) {
        set_error(e->error, sizeof(e->error), "the module has no export tick(i64): i32");
        e->init = NULL;
        return false;
    }
    return true;
}

bool embed_fw_init(embed_t *e)
{
    if (!e->init && !embed_fw_check(e))
        return false;
    if (!wasm_runtime_call_wasm(e->env, e->init, 0, NULL))
        return trapped(e, "init trapped");
    return true;
}

bool embed_fw_tick(embed_t *e, int64_t now_ms, int32_t *wait_ms)
{
    uint32_t argv[2];
    memcpy(argv, &now_ms, sizeof(now_ms));
    if (!wasm_runtime_call_wasm(e->env, e->tick, 2, argv))
        return trapped(e, "tick trapped");
    *wait_ms = (int32_t)argv[0];
    return true;
}

bool embed_has_export(embed_t *e, const char *name)
{
    return wasm_runtime_lookup_function(e->inst, name) != NULL;
}

bool embed_call(embed_t *e, const char *name, uint32_t argc, uint32_t argv[])
{
    wasm_function_inst_t f = wasm_runtime_lookup_function(e->inst, name);
    if (!f) {
        set_error(e->error, sizeof(e->error), "the module has no export %s", name);
        return false;
    }
    if (!wasm_runtime_call_wasm(e->env, f, argc, argv))
        return trapped(e, name);
    return true;
}

void *embed_memory(embed_t *e, uint32_t offset, uint32_t size)
{
    if (!wasm_runtime_validate_app_addr(e->inst, offset, size)) {
        wasm_runtime_clear_exception(e->inst); /* the check leaves an exception behind */
        return NULL;
    }
    return wasm_runtime_addr_app_to_native(e->inst, offset);
}

uint32_t embed_memory_pages(embed_t *e)
{
    wasm_memory_inst_t mem = wasm_runtime_get_default_memory(e->inst);
    return mem ? (uint32_t)wasm_memory_get_cur_page_count(mem) : 0;
}
