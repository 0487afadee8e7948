// Firmware entry: the two exports the host calls. init() once, then tick(nowMs) whenever
// something may be due; tick returns the milliseconds until it next wants to run. Everything is
// polled from here in a fixed order; no HAL call blocks.
import * as hal from "./hal";
import "./sys/rt";
import { FIRMWARE_VERSION, IDLE_TICK_MS, CONSOLE_RETRY_MS } from "./config";
import { setNow, now, runTimers, nextDue } from "./sys/clock";
import * as log from "./sys/log";
import * as event from "./sys/event";
import * as settings from "./console/settings";
import * as con from "./console/console";
import * as store from "./console/store";
import * as app from "./app/app";
import { T } from "./sys/text";

export function init(): void {
  setNow(hal.clock_now_ms());
  settings.loadDefaults();
  store.restore();
  con.init();
  app.init();
  log.info().str(T("sip-intercom ")).str(FIRMWARE_VERSION).str(T(" started")).end();
  event.begin(T("boot")).str(T("version"), FIRMWARE_VERSION).end();
}

export function tick(nowMs: i64): i32 {
  setNow(nowMs);
  runTimers();
  con.poll();
  const appWait = app.poll();
  hal.sys_watchdog_feed();
  let wait: i64 = IDLE_TICK_MS;
  if (appWait >= 0 && appWait < wait) wait = appWait;
  if (con.busy()) wait = CONSOLE_RETRY_MS;
  const due = nextDue();
  if (due >= 0 && due - now() < wait) wait = due > now() ? due - now() : 0;
  return <i32>wait;
}
