/* The ESP-IDF port of the HAL: what main.c needs beyond hal_contract.h.
 * UNBUILT SKELETON: written against ESP-IDF 5.x, never compiled here (docs/native.md). */
#ifndef HAL_ESP32_H
#define HAL_ESP32_H

#include <stdbool.h>
#include <stdint.h>

#include "hal_contract.h"

/* Installs the console UART driver, opens the NVS namespace "kv" (nvs_flash_init must have run),
 * reads the MAC for sys.info serial. host is the sys.info host text. False with err on failure. */
bool hal_esp32_open(const char *host, char *err, uint32_t err_len);

/* Waits up to ms (at least one scheduler tick) or until console input arrives. */
void hal_esp32_wait(int32_t ms);

/* hal.sys_reboot on a board: esp_restart() once the tick returned; false when not asked. */
bool hal_esp32_take_reboot(void);

#endif /* HAL_ESP32_H */
