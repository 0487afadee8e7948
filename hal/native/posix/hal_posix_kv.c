/* The POSIX port of hal.kv: one file per key in <state_dir>/kv/, replaced atomically.
 * Reference: hal/contract.json group kv; POSIX rename(2) atomicity; host-sim/src/periph/kv.ts
 * (FileKv), whose file names and layout this follows byte for byte, so that intercom-posix and
 * intercom-sim can share a state dir.
 *
 *   real   read/write/erase; a write goes to <file>.tmp, is fsync'ed, renamed over the old value
 *          and the directory fsync'ed: after a power cut the key holds the old or the new value,
 *          never a mix. File name: encodeURIComponent(key) + ".bin". */
#define _GNU_SOURCE
#include "hal_posix.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KV_KEY_MAX 15
#define KV_VALUE_MAX 4000
#define KV_PATH_MAX 4096

static char kv_dir[KV_PATH_MAX - 64];

bool hal_posix_kv_set_dir(const char *state_dir, char *err, uint32_t err_len)
{
    int n = snprintf(kv_dir, sizeof(kv_dir), "%s/kv", state_dir);
    if (n < 0 || (size_t)n >= sizeof(kv_dir)) {
        snprintf(err, err_len, "state dir path too long");
        return false;
    }
    return true;
}

/* <kv_dir>/<encodeURIComponent(key)>.bin; false for a key the contract rejects (empty or long). */
static bool key_path(const uint8_t *key, uint32_t key_len, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n;
    if (key_len == 0 || key_len > KV_KEY_MAX)
        return false;
    n = (size_t)snprintf(out, cap, "%s/", kv_dir);
    for (uint32_t i = 0; i < key_len; i++) {
        uint8_t c = key[i];
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     strchr("-_.!~*'()", c) != NULL;
        if (c != 0 && plain) {
            out[n++] = (char)c;
        } else {
            out[n++] = '%';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    memcpy(out + n, ".bin", 5);
    return true;
}

/* mkdir -p */
static bool make_dirs(const char *path)
{
    char tmp[KV_PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
            return false;
        *p = '/';
    }
    return mkdir(tmp, 0700) == 0 || errno == EEXIST;
}

static void sync_dir(void)
{
    int fd = open(kv_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd); /* not every file system supports it; the rename is atomic regardless */
        close(fd);
    }
}

int32_t hal_kv_read(const uint8_t *key, uint32_t key_len, uint8_t *buf, uint32_t buf_len)
{
    char path[KV_PATH_MAX];
    struct stat st;
    uint32_t want, done = 0;
    int fd;

    if (!key_path(key, key_len, path, sizeof(path)))
        return HAL_E_INVAL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? HAL_E_NOTFOUND : HAL_E_IO;
    if (fstat(fd, &st) != 0 || st.st_size > INT32_MAX) {
        close(fd);
        return HAL_E_IO;
    }
    want = (uint32_t)st.st_size < buf_len ? (uint32_t)st.st_size : buf_len;
    while (done < want) {
        ssize_t n = read(fd, buf + done, want - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            return HAL_E_IO;
        }
        done += (uint32_t)n;
    }
    close(fd);
    return (int32_t)st.st_size;
}

int32_t hal_kv_write(const uint8_t *key, uint32_t key_len, const uint8_t *data, uint32_t data_len)
{
    char path[KV_PATH_MAX], tmp[KV_PATH_MAX + 8];
    uint32_t done = 0;
    int fd, err = 0;

    if (!key_path(key, key_len, path, sizeof(path)))
        return HAL_E_INVAL;
    if (data_len > KV_VALUE_MAX)
        return HAL_E_NOSPC;
    if (!make_dirs(kv_dir))
        return HAL_E_IO;
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno == ENOSPC || errno == EDQUOT ? HAL_E_NOSPC : HAL_E_IO;
    while (done < data_len && err == 0) {
        ssize_t n = write(fd, data + done, data_len - done);
        if (n > 0)
            done += (uint32_t)n;
        else if (n < 0 && errno != EINTR)
            err = errno;
    }
    if (err == 0 && fsync(fd) != 0)
        err = errno;
    if (close(fd) != 0 && err == 0)
        err = errno;
    if (err == 0 && rename(tmp, path) != 0)
        err = errno;
    if (err != 0) {
        unlink(tmp);
        return err == ENOSPC || err == EDQUOT ? HAL_E_NOSPC : HAL_E_IO;
    }
    sync_dir();
    return HAL_OK;
}

int32_t hal_kv_erase(const uint8_t *key, uint32_t key_len)
{
    char path[KV_PATH_MAX];
    if (!key_path(key, key_len, path, sizeof(path)))
        return HAL_E_INVAL;
    if (unlink(path) != 0)
        return errno == ENOENT ? HAL_OK : HAL_E_IO;
    sync_dir();
    return HAL_OK;
}
