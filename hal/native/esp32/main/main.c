/* The door unit on ESP-IDF: build/firmware.wasm from flash, run under WAMR by the common run loop.
 * Reference: docs/native.md ("ESP-IDF"); WAMR product-mini/platforms/esp-idf (WAMR runs in a
 * pthread there too: its ESP-IDF platform layer calls pthread_self()).
 *
 * UNBUILT SKELETON: written against ESP-IDF 5.x and espressif/wasm-micro-runtime 2.4, never
 * compiled in this repository. Sizes below are first guesses to measure on the board
 * (uxTaskGetStackHighWaterMark, heap_caps_get_minimum_free_size). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "esp_log.h"
#include "esp_system.h"
#include "esp_task_wdt.h"
#include "nvs_flash.h"

#include "embed.h"
#include "hal_esp32.h"
#include "run.h"

/* Native stack of the task running WAMR's interpreter and the natives. */
#define FW_TASK_STACK 8192
/* WAMR interpreter stack of the instance; the firmware at this commit needs 2048 (docs/native.md). */
#define FW_WASM_STACK 8192

extern const uint8_t firmware_wasm_start[] asm("_binary_firmware_wasm_start");
extern const uint8_t firmware_wasm_end[] asm("_binary_firmware_wasm_end");

static const char *TAG = "host";

static void report(const char *line)
{
    ESP_LOGW(TAG, "%s", line);
}

static const struct run_port esp32_port = {
    .now_ms = hal_clock_now_ms,
    .wait_ms = hal_esp32_wait,
    .take_reboot = hal_esp32_take_reboot,
    .report = report,
};

static void *firmware_task(void *arg)
{
    struct run_options opt = { .trap_delay_ms = 1000, .reboot_delay_ms = 100 };
    struct run_stats st;
    char err[EMBED_ERROR_MAX];
    size_t size = (size_t)(firmware_wasm_end - firmware_wasm_start);
    embed_t *e = NULL;
    (void)arg;

    /* WAMR may rewrite the module bytes while loading: give it a RAM copy of the flash image. */
    uint8_t *wasm = malloc(size);
    if (!wasm) {
        ESP_LOGE(TAG, "no memory for the %u-byte module", (unsigned)size);
        return NULL;
    }
    memcpy(wasm, firmware_wasm_start, size);

    if (!embed_runtime_init(err, sizeof(err)) || !hal_esp32_open(embed_runtime_version(), err, sizeof(err)) ||
        !(e = embed_open(wasm, (uint32_t)size, FW_WASM_STACK, err, sizeof(err))) || !embed_fw_check(e)) {
        ESP_LOGE(TAG, "cannot start the firmware: %s", e ? embed_error(e) : err);
        return NULL;
    }
    ESP_LOGI(TAG, "%s, firmware.wasm %u bytes, %u pages", embed_runtime_version(), (unsigned)size,
             (unsigned)embed_memory_pages(e));
    esp_task_wdt_add(NULL); /* hal.sys_watchdog_feed resets it every tick */
    run_firmware(e, &esp32_port, &opt, &st);
    ESP_LOGE(TAG, "cannot restart the firmware: %s; restarting the board", embed_error(e));
    esp_restart();
    return NULL;
}

void app_main(void)
{
    pthread_attr_t attr;
    pthread_t task;
    esp_err_t err = nvs_flash_init();
    if (err == ESP_ERR_NVS_NO_FREE_PAGES || err == ESP_ERR_NVS_NEW_VERSION_FOUND) {
        /* the NVS partition was resized or written by a newer format: start it over */
        ESP_ERROR_CHECK(nvs_flash_erase());
        err = nvs_flash_init();
    }
    ESP_ERROR_CHECK(err);

    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, FW_TASK_STACK);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&task, &attr, firmware_task, NULL) != 0)
        ESP_LOGE(TAG, "cannot create the firmware task");
    pthread_attr_destroy(&attr);
}
