/* The POSIX port of hal.net: IPv4 UDP sockets and name lookup.
 * Reference: hal/contract.json group net; POSIX socket(2), recvfrom(2) (Linux MSG_TRUNC returns
 * the datagram's full length); glibc getaddrinfo_a(3).
 *
 *   real   udp_open/close/local_port/send/recv: non-blocking sockets, never wait
 *   real   local_ip: the kernel's routing decision (connect a UDP socket, getsockname)
 *   real   resolve: dotted quads at once; names through getaddrinfo_a (glibc, asynchronous);
 *          on other C libraries through getaddrinfo, which blocks during the lookup */
#define _GNU_SOURCE
#include "hal_posix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NET_SOCKETS 8
#define NET_QUERIES 4
#define NAME_MAX_LEN 253

static int socks[NET_SOCKETS] = { -1, -1, -1, -1, -1, -1, -1, -1 };

static int sock_fd(int32_t sock)
{
    return sock >= 0 && sock < NET_SOCKETS ? socks[sock] : -1;
}

int32_t hal_net_udp_open(int32_t port)
{
    struct sockaddr_in a;
    int slot = -1, fd;

    if (port < 0 || port > 65535)
        return HAL_E_INVAL;
    for (int i = 0; i < NET_SOCKETS && slot < 0; i++)
        if (socks[i] < 0)
            slot = i;
    if (slot < 0)
        return HAL_E_NOMEM;
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM ? HAL_E_NOMEM : HAL_E_NETDOWN;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    a.sin_port = htons((uint16_t)port);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        int err = errno;
        close(fd);
        return err == EADDRINUSE || err == EACCES ? HAL_E_ADDRINUSE : HAL_E_NETDOWN;
    }
    socks[slot] = fd;
    return slot;
}

int32_t hal_net_udp_close(int32_t sock)
{
    int fd = sock_fd(sock);
    if (fd < 0)
        return HAL_E_BADF;
    close(fd);
    socks[sock] = -1;
    return HAL_OK;
}

int32_t hal_net_udp_local_port(int32_t sock)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = sock_fd(sock);
    if (fd < 0 || getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        return HAL_E_BADF;
    return ntohs(a.sin_port);
}

int32_t hal_net_udp_send(int32_t sock, uint32_t ip, int32_t port, const uint8_t *data, uint32_t data_len)
{
    struct sockaddr_in a;
    int fd = sock_fd(sock);
    ssize_t n;

    if (fd < 0)
        return HAL_E_BADF;
    if (port < 1 || port > 65535)
        return HAL_E_INVAL;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(ip);
    a.sin_port = htons((uint16_t)port);
    n = sendto(fd, data, data_len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&a, sizeof(a));
    if (n >= 0)
        return (int32_t)n;
    switch (errno) {
    case EAGAIN:
    case ENOBUFS:
    case EINTR:
        return HAL_E_AGAIN;
    case ENETDOWN:
    case ENETUNREACH:
    case EHOSTUNREACH:
    case EADDRNOTAVAIL:
        return HAL_E_NETDOWN;
    case EMSGSIZE:
    case EINVAL:
        return HAL_E_INVAL;
    default:
        return HAL_E_IO;
    }
}

int32_t hal_net_udp_recv(int32_t sock, uint8_t *buf, uint32_t buf_len, uint8_t *from, uint32_t from_len)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    int fd = sock_fd(sock);
    ssize_t n;

    if (fd < 0)
        return HAL_E_BADF;
    if (from_len < 6)
        return HAL_E_INVAL;
    memset(&a, 0, sizeof(a));
    n = recvfrom(fd, buf, buf_len, MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *)&a, &alen);
    if (n < 0)
        return HAL_E_AGAIN; /* nothing pending (or an ICMP error report: nothing to deliver) */
    memcpy(from, &a.sin_addr.s_addr, 4); /* already big-endian */
    memcpy(from + 4, &a.sin_port, 2);
    return (int32_t)n;
}

uint32_t hal_net_local_ip(uint32_t dest)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    uint32_t ip = 0;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return 0;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(dest);
    a.sin_port = htons(9); /* connect() on UDP sends nothing: it only asks the routing table */
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        ip = ntohl(a.sin_addr.s_addr);
    close(fd);
    return ip;
}

/* ---- name lookup */

enum { Q_FREE, Q_DONE, Q_FAILED, Q_PENDING };

static struct query {
    int state;
    uint32_t addr; /* network order, when Q_DONE */
#ifdef __GLIBC__
    struct gaicb cb;
    struct gaicb *list[1];
    struct addrinfo hints;
    char name[NAME_MAX_LEN + 1];
#endif
} queries[NET_QUERIES];

/* First IPv4 address of a getaddrinfo result, network order. */
static bool first_ipv4(const struct addrinfo *ai, uint32_t *addr)
{
    for (; ai; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET) {
            *addr = ((const struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr;
            return true;
        }
    }
    return false;
}

int32_t hal_net_resolve(const uint8_t *name, uint32_t name_len)
{
    char text[NAME_MAX_LEN + 1];
    struct in_addr numeric;
    int32_t q = -1;

    if (name_len == 0 || name_len > NAME_MAX_LEN || memchr(name, 0, name_len))
        return HAL_E_INVAL;
    for (int i = 0; i < NET_QUERIES && q < 0; i++)
        if (queries[i].state == Q_FREE)
            q = i;
    if (q < 0)
        return HAL_E_NOMEM;
    memcpy(text, name, name_len);
    text[name_len] = '\0';
    if (inet_pton(AF_INET, text, &numeric) == 1) {
        queries[q].state = Q_DONE;
        queries[q].addr = numeric.s_addr;
        return q;
    }
#ifdef __GLIBC__
    struct query *r = &queries[q];
    memset(r, 0, sizeof(*r));
    memcpy(r->name, text, name_len + 1);
    r->hints.ai_family = AF_INET;
    r->hints.ai_socktype = SOCK_DGRAM;
    r->cb.ar_name = r->name;
    r->cb.ar_request = &r->hints;
    r->list[0] = &r->cb;
    if (getaddrinfo_a(GAI_NOWAIT, r->list, 1, NULL) != 0)
        return HAL_E_NOMEM;
    r->state = Q_PENDING;
#else
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_DGRAM;
    queries[q].state = Q_FAILED;
    if (getaddrinfo(text, NULL, &hints, &res) == 0) {
        if (first_ipv4(res, &queries[q].addr))
            queries[q].state = Q_DONE;
        freeaddrinfo(res);
    }
#endif
    return q;
}

int32_t hal_net_resolve_result(int32_t query, uint8_t *addr, uint32_t addr_len)
{
    struct query *r;
    if (query < 0 || query >= NET_QUERIES || queries[query].state == Q_FREE)
        return HAL_E_BADF;
    if (addr_len < 4)
        return HAL_E_INVAL;
    r = &queries[query];
#ifdef __GLIBC__
    if (r->state == Q_PENDING) {
        int rc = gai_error(&r->cb);
        if (rc == EAI_INPROGRESS)
            return HAL_E_AGAIN;
        r->state = rc == 0 && first_ipv4(r->cb.ar_result, &r->addr) ? Q_DONE : Q_FAILED;
        if (r->cb.ar_result)
            freeaddrinfo(r->cb.ar_result);
        r->cb.ar_result = NULL;
    }
#endif
    if (r->state == Q_FAILED) {
        r->state = Q_FREE;
        return HAL_E_NOTFOUND;
    }
    memcpy(addr, &r->addr, 4);
    r->state = Q_FREE;
    return HAL_OK;
}

/* ---- port API */

int hal_posix_net_pollfds(struct pollfd *fds, int max)
{
    int n = 0;
    for (int i = 0; i < NET_SOCKETS && n < max; i++)
        if (socks[i] >= 0)
            fds[n++] = (struct pollfd){ .fd = socks[i], .events = POLLIN };
    return n;
}

void hal_posix_net_close_all(void)
{
    for (int i = 0; i < NET_SOCKETS; i++)
        hal_net_udp_close(i);
#ifdef __GLIBC__
    for (int i = 0; i < NET_QUERIES; i++) {
        if (queries[i].state == Q_PENDING && gai_cancel(&queries[i].cb) == EAI_ALLDONE && queries[i].cb.ar_result)
            freeaddrinfo(queries[i].cb.ar_result);
    }
#endif
}
