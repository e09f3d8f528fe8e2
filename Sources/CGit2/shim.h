#ifndef SLUICE_CGIT2_SHIM_H
#define SLUICE_CGIT2_SHIM_H

#include <git2.h>
#include <git2/sys/stream.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* git_libgit2_opts is variadic, so Swift cannot call it; these wrappers can be. */

static inline int sluice_git_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}

/*
 * A plain TCP stream with connect and read/write timeouts.
 *
 * libgit2 1.5 has no network timeouts (GIT_OPT_SET_SERVER_TIMEOUT arrived in 1.7), so a server that
 * accepts a connection and then stalls would hang a fetch for ever. Registered as the standard stream,
 * this one is used by the HTTP and SSH transports and underneath TLS.
 */
typedef struct {
    git_stream parent;
    int fd;
    int connect_timeout_ms;
    int io_timeout_ms;
    char *host;
    char *port;
} sluice_git_socket_stream;

static inline int sluice_git_socket_fail(const char *what, const char *host, int timed_out) {
    char message[512];
    snprintf(message, sizeof message, "%s %s: %s", what, host,
             timed_out ? "timed out" : strerror(errno));
    git_error_set_str(GIT_ERROR_NET, message);
    return -1;
}

/* Waits until fd is ready for `events`; 0 when ready, 1 on timeout, -1 on error. */
static inline int sluice_git_socket_wait(int fd, short events, int timeout_ms) {
    struct pollfd pfd = { .fd = fd, .events = events, .revents = 0 };
    int ready;
    do {
        ready = poll(&pfd, 1, timeout_ms > 0 ? timeout_ms : -1);
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) return 1;
    return ready < 0 ? -1 : 0;
}

static inline int sluice_git_socket_connect(git_stream *stream) {
    sluice_git_socket_stream *s = (sluice_git_socket_stream *)stream;
    struct addrinfo hints, *addresses = NULL, *address;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int status = getaddrinfo(s->host, s->port, &hints, &addresses);
    if (status != 0) {
        char message[512];
        snprintf(message, sizeof message, "failed to resolve %s: %s", s->host, gai_strerror(status));
        git_error_set_str(GIT_ERROR_NET, message);
        return -1;
    }
    int timed_out = 0;
    for (address = addresses; address != NULL; address = address->ai_next) {
        int fd = socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                        address->ai_protocol);
        if (fd < 0) continue;
        if (connect(fd, address->ai_addr, address->ai_addrlen) == 0) {
            s->fd = fd;
            break;
        }
        if (errno == EINPROGRESS) {
            int waited = sluice_git_socket_wait(fd, POLLOUT, s->connect_timeout_ms);
            int socket_error = 0;
            socklen_t length = sizeof socket_error;
            if (waited == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &socket_error, &length) == 0
                && socket_error == 0) {
                s->fd = fd;
                break;
            }
            timed_out = waited == 1;
            if (socket_error != 0) errno = socket_error;
        }
        int saved = errno;
        close(fd);
        errno = saved;
    }
    freeaddrinfo(addresses);
    if (s->fd < 0) return sluice_git_socket_fail("failed to connect to", s->host, timed_out);
    return 0;
}

static inline ssize_t sluice_git_socket_read(git_stream *stream, void *data, size_t length) {
    sluice_git_socket_stream *s = (sluice_git_socket_stream *)stream;
    for (;;) {
        ssize_t count = recv(s->fd, data, length, 0);
        if (count >= 0) return count;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return sluice_git_socket_fail("failed to read from", s->host, 0);
        int waited = sluice_git_socket_wait(s->fd, POLLIN, s->io_timeout_ms);
        if (waited != 0) return sluice_git_socket_fail("failed to read from", s->host, waited == 1);
    }
}

static inline ssize_t sluice_git_socket_write(git_stream *stream, const char *data, size_t length, int flags) {
    sluice_git_socket_stream *s = (sluice_git_socket_stream *)stream;
    (void)flags;
    for (;;) {
        ssize_t count = send(s->fd, data, length, MSG_NOSIGNAL);
        if (count >= 0) return count;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return sluice_git_socket_fail("failed to write to", s->host, 0);
        int waited = sluice_git_socket_wait(s->fd, POLLOUT, s->io_timeout_ms);
        if (waited != 0) return sluice_git_socket_fail("failed to write to", s->host, waited == 1);
    }
}

static inline int sluice_git_socket_close(git_stream *stream) {
    sluice_git_socket_stream *s = (sluice_git_socket_stream *)stream;
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
    return 0;
}

static inline void sluice_git_socket_free(git_stream *stream) {
    sluice_git_socket_stream *s = (sluice_git_socket_stream *)stream;
    sluice_git_socket_close(stream);
    free(s->host);
    free(s->port);
    free(s);
}

/* Creates a timeout-aware socket stream; a timeout of 0 waits for ever. */
static inline int sluice_git_socket_stream_new(git_stream **out, const char *host, const char *port,
                                               int connect_timeout_ms, int io_timeout_ms) {
    sluice_git_socket_stream *s = calloc(1, sizeof *s);
    if (s == NULL) return -1;
    s->parent.version = GIT_STREAM_VERSION;
    s->parent.connect = sluice_git_socket_connect;
    s->parent.read = sluice_git_socket_read;
    s->parent.write = sluice_git_socket_write;
    s->parent.close = sluice_git_socket_close;
    s->parent.free = sluice_git_socket_free;
    s->fd = -1;
    s->connect_timeout_ms = connect_timeout_ms;
    s->io_timeout_ms = io_timeout_ms;
    s->host = strdup(host);
    s->port = strdup(port);
    *out = &s->parent;
    return 0;
}

#endif
