/* The ESP-IDF port of the HAL. Reference: hal/contract.json; ESP-IDF 5.x API reference (UART
 * driver, NVS, esp_timer, esp_random, esp_mac, task watchdog).
 *
 * UNBUILT SKELETON: written against ESP-IDF 5.x, never compiled in this repository (no ESP-IDF in
 * CI); the issue that brings up the board builds it and replaces what is inert.
 *
 *   real   clock   esp_timer_get_time() / 1000
 *   real   random  esp_fill_random (true random with the RF on; see ESP-IDF "Random Number Generation")
 *   real   console UART0 driver: read never waits, write queues whole or answers E_AGAIN
 *   real   log     ESP_LOG with tag "fw"; panic with ESP_LOGE
 *   real   kv      NVS namespace "kv" (keys of at most 15 bytes, as NVS allows), commit per write
 *   real   event   one log line per event, tag "event" (the control API comes later)
 *   real   sys     reboot (esp_restart after the tick), task watchdog feed, info board/host/serial
 *   inert  net     E_NETDOWN (Wi-Fi/Ethernet bring-up: lwIP sockets, as in posix/hal_posix_net.c)
 *   inert  audio   E_UNSUPPORTED (I2S and the codec chip come with the board files)
 *   inert  io      E_NOTFOUND (GPIO from boards/) */
#include "hal_esp32.h"

#include <stdio.h>
#include <string.h>

#include "driver/uart.h"
#include "esp_log.h"
#include "esp_mac.h"
#include "esp_random.h"
#include "esp_system.h"
#include "esp_task_wdt.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/queue.h"
#include "nvs.h"

#define CONSOLE_UART UART_NUM_0
#define KV_KEY_MAX 15
#define KV_VALUE_MAX 4000

static const char *TAG = "fw";
static QueueHandle_t uart_events;
static nvs_handle_t kv_nvs;
static bool reboot_asked;
static char host_text[32];
static char serial_text[32];

int64_t hal_clock_now_ms(void)
{
    return esp_timer_get_time() / 1000;
}

int32_t hal_random_fill(uint8_t *buf, uint32_t buf_len)
{
    esp_fill_random(buf, buf_len);
    return (int32_t)buf_len;
}

int32_t hal_console_read(uint8_t *buf, uint32_t buf_len)
{
    int n = uart_read_bytes(CONSOLE_UART, buf, buf_len, 0);
    return n < 0 ? HAL_E_IO : n;
}

int32_t hal_console_write(const uint8_t *data, uint32_t data_len)
{
    size_t room = 0;
    if (uart_get_tx_buffer_free_size(CONSOLE_UART, &room) != ESP_OK)
        return HAL_E_IO;
    if (room < data_len)
        return HAL_E_AGAIN;
    return uart_write_bytes(CONSOLE_UART, data, data_len) < 0 ? HAL_E_IO : (int32_t)data_len;
}

void hal_log_write(int32_t level, const uint8_t *msg, uint32_t msg_len)
{
    static const esp_log_level_t levels[] = { ESP_LOG_ERROR, ESP_LOG_WARN, ESP_LOG_INFO, ESP_LOG_DEBUG,
                                              ESP_LOG_VERBOSE };
    esp_log_level_t l = level >= 0 && level <= 4 ? levels[level] : ESP_LOG_INFO;
    ESP_LOG_LEVEL(l, TAG, "%.*s", (int)msg_len, (const char *)msg);
}

/* ---- net, audio, io: inert */

int32_t hal_net_udp_open(int32_t port) { (void)port; return HAL_E_NETDOWN; }
int32_t hal_net_udp_close(int32_t sock) { (void)sock; return HAL_E_BADF; }
int32_t hal_net_udp_local_port(int32_t sock) { (void)sock; return HAL_E_BADF; }
int32_t hal_net_udp_send(int32_t sock, uint32_t ip, int32_t port, const uint8_t *data, uint32_t data_len)
{
    (void)sock; (void)ip; (void)port; (void)data; (void)data_len;
    return HAL_E_BADF;
}
int32_t hal_net_udp_recv(int32_t sock, uint8_t *buf, uint32_t buf_len, uint8_t *from, uint32_t from_len)
{
    (void)sock; (void)buf; (void)buf_len; (void)from; (void)from_len;
    return HAL_E_BADF;
}
uint32_t hal_net_local_ip(uint32_t dest) { (void)dest; return 0; }
int32_t hal_net_resolve(const uint8_t *name, uint32_t name_len) { (void)name; (void)name_len; return HAL_E_NETDOWN; }
int32_t hal_net_resolve_result(int32_t query, uint8_t *addr, uint32_t addr_len)
{
    (void)query; (void)addr; (void)addr_len;
    return HAL_E_BADF;
}

int32_t hal_audio_start(void) { return HAL_E_UNSUPPORTED; }
int32_t hal_audio_stop(void) { return HAL_OK; }
int32_t hal_audio_read(uint8_t *buf, uint32_t buf_len) { (void)buf; (void)buf_len; return HAL_E_BADF; }
int32_t hal_audio_write(const uint8_t *data, uint32_t data_len) { (void)data; (void)data_len; return HAL_E_BADF; }
int32_t hal_audio_set_volume(int32_t percent) { (void)percent; return HAL_E_UNSUPPORTED; }

int32_t hal_io_find(const uint8_t *name, uint32_t name_len) { (void)name; (void)name_len; return HAL_E_NOTFOUND; }
int32_t hal_io_read(int32_t handle) { (void)handle; return HAL_E_BADF; }
int32_t hal_io_write(int32_t handle, int32_t value) { (void)handle; (void)value; return HAL_E_BADF; }

/* ---- kv: NVS */

/* NVS wants a NUL-terminated key of at most 15 bytes: the contract's limit. */
static bool kv_key(const uint8_t *key, uint32_t key_len, char out[KV_KEY_MAX + 1])
{
    if (key_len == 0 || key_len > KV_KEY_MAX || memchr(key, 0, key_len))
        return false;
    memcpy(out, key, key_len);
    out[key_len] = '\0';
    return true;
}

int32_t hal_kv_read(const uint8_t *key, uint32_t key_len, uint8_t *buf, uint32_t buf_len)
{
    static uint8_t whole[KV_VALUE_MAX];
    char k[KV_KEY_MAX + 1];
    size_t len = 0;
    esp_err_t err;

    if (!kv_key(key, key_len, k))
        return HAL_E_INVAL;
    err = nvs_get_blob(kv_nvs, k, NULL, &len);
    if (err == ESP_ERR_NVS_NOT_FOUND)
        return HAL_E_NOTFOUND;
    if (err != ESP_OK || len > sizeof(whole))
        return HAL_E_IO;
    if (len <= buf_len)
        return nvs_get_blob(kv_nvs, k, buf, &len) == ESP_OK ? (int32_t)len : HAL_E_IO;
    /* NVS reads whole values only: read into a scratch buffer, copy what fits */
    if (nvs_get_blob(kv_nvs, k, whole, &len) != ESP_OK)
        return HAL_E_IO;
    memcpy(buf, whole, buf_len);
    return (int32_t)len;
}

int32_t hal_kv_write(const uint8_t *key, uint32_t key_len, const uint8_t *data, uint32_t data_len)
{
    char k[KV_KEY_MAX + 1];
    esp_err_t err;
    if (!kv_key(key, key_len, k))
        return HAL_E_INVAL;
    if (data_len > KV_VALUE_MAX)
        return HAL_E_NOSPC;
    err = nvs_set_blob(kv_nvs, k, data, data_len);
    if (err == ESP_OK)
        err = nvs_commit(kv_nvs);
    return err == ESP_OK ? HAL_OK : err == ESP_ERR_NVS_NOT_ENOUGH_SPACE ? HAL_E_NOSPC : HAL_E_IO;
}

int32_t hal_kv_erase(const uint8_t *key, uint32_t key_len)
{
    char k[KV_KEY_MAX + 1];
    esp_err_t err;
    if (!kv_key(key, key_len, k))
        return HAL_E_INVAL;
    err = nvs_erase_key(kv_nvs, k);
    if (err == ESP_ERR_NVS_NOT_FOUND)
        return HAL_OK;
    if (err == ESP_OK)
        err = nvs_commit(kv_nvs);
    return err == ESP_OK ? HAL_OK : HAL_E_IO;
}

/* ---- event, sys */

void hal_event_emit(const uint8_t *json, uint32_t json_len)
{
    ESP_LOGI("event", "%.*s", (int)json_len, (const char *)json);
}

void hal_sys_reboot(void)
{
    reboot_asked = true;
}

void hal_sys_watchdog_feed(void)
{
    esp_task_wdt_reset();
}

int32_t hal_sys_info(const uint8_t *key, uint32_t key_len, uint8_t *buf, uint32_t buf_len)
{
    const char *v = NULL;
    if (key_len == 5 && memcmp(key, "board", 5) == 0)
        v = CONFIG_IDF_TARGET; /* the board id comes with boards/ */
    else if (key_len == 4 && memcmp(key, "host", 4) == 0)
        v = host_text;
    else if (key_len == 6 && memcmp(key, "serial", 6) == 0)
        v = serial_text;
    if (!v)
        return HAL_E_NOTFOUND;
    size_t len = strlen(v);
    memcpy(buf, v, len < buf_len ? len : buf_len);
    return (int32_t)len;
}

void hal_sys_panic(const uint8_t *file, uint32_t file_len, int32_t line, const uint8_t *msg, uint32_t msg_len)
{
    ESP_LOGE(TAG, "panic at %.*s:%d: %.*s", (int)file_len, (const char *)file, (int)line, (int)msg_len,
             (const char *)msg);
}

/* ---- port API */

bool hal_esp32_open(const char *host, char *err, uint32_t err_len)
{
    uint8_t mac[6] = { 0 };
    esp_err_t e = uart_driver_install(CONSOLE_UART, 1024, 2048, 8, &uart_events, 0);
    if (e == ESP_OK)
        e = nvs_open("kv", NVS_READWRITE, &kv_nvs);
    if (e != ESP_OK) {
        snprintf(err, err_len, "HAL start-up failed: %s", esp_err_to_name(e));
        return false;
    }
    esp_efuse_mac_get_default(mac);
    snprintf(serial_text, sizeof(serial_text), "%02x%02x%02x%02x%02x%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
             mac[5]);
    snprintf(host_text, sizeof(host_text), "%s", host);
    return true;
}

void hal_esp32_wait(int32_t ms)
{
    uart_event_t ev;
    TickType_t ticks = pdMS_TO_TICKS(ms > 0 ? ms : 0);
    /* at least one tick: a firmware that keeps answering 0 must not starve the idle task */
    xQueueReceive(uart_events, &ev, ticks > 0 ? ticks : 1);
}

bool hal_esp32_take_reboot(void)
{
    if (reboot_asked)
        esp_restart();
    return false;
}
