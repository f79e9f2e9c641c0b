/*
 * rackboot_net: the few socket calls Node's dgram and net cannot make, so that a UDP socket or a TCP listener
 * answers on one NIC only; and sendfile(2), so the HTTP service sends file bodies without copying them through
 * JavaScript.
 *
 * Plain C on node_api.h, plus libuv's uv.h (shipped with Node's headers) for the thread pool and an fd poll:
 * N-API is ABI-stable and Node and Electron both export libuv, so one binary loads in either without a rebuild.
 * Linux only (SO_BINDTODEVICE, sendfile(2)); binding.gyp compiles nothing elsewhere and bind.ts reports that.
 *
 * Exports (fds are plain integers; failures throw an Error shaped like Node's own system errors:
 * message "<syscall> <CODE> <detail>", .code "ENODEV", .errno -19, .syscall "setsockopt"; unknown errnos get
 * .code "UNKNOWN" and the right .errno, which util.getSystemErrorName() names):
 *   socketUdp4(): number                     socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC)
 *   setReuseAddr(fd, on: boolean): void      SO_REUSEADDR
 *   bindToDevice(fd, ifname: string): void   SO_BINDTODEVICE (socket(7))
 *   bindIPv4(fd, address: string, port): void  bind(2) to a dotted-quad address
 *   ifindex(name: string): number            if_nametoindex(3)
 *   setRecvBuffer(fd, bytes): number         SO_RCVBUFFORCE (root) or SO_RCVBUF; returns the granted size
 *   udpSend(fd, bytes[, port, address]): number  one datagram now (send/sendto, MSG_DONTWAIT); -1 = would block
 *   listenTcp4(address, port, ifname): number  a listening TCP socket tied to ifname: socket(AF_INET,
 *                                            SOCK_STREAM), SO_REUSEADDR (as libuv sets for every server),
 *                                            SO_BINDTODEVICE, bind(2), listen(2) with Node's backlog of 511;
 *                                            closed again on any failure. net.Server adopts it with listen({ fd }).
 *   sendfile(socketFd, fileFd, offset, count, callback(err, sent), idleMs?): { cancel(), sent() }
 *                                            sendfile(2) off the event loop; see sendfile_start below.
 *   socketIcmp6(ifname): number              a send-only raw ICMPv6 socket tied to ifname, hop limit 255
 *                                            (RFC 4861 6.1.2: neighbour discovery messages must carry 255)
 *   icmp6Send(fd, bytes, address, ifindex): number  one ICMPv6 message to a link-local address; the kernel
 *                                            fills in the checksum (RFC 3542 3.1); -1 = would block
 */
#include <node_api.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define ERRNO_NAMES(X)                                                                                   \
  X(EPERM) X(ENOENT) X(EINTR) X(EBADF) X(EAGAIN) X(ENOMEM) X(EACCES) X(EFAULT) X(EBUSY) X(EEXIST)      \
  X(ENODEV) X(EINVAL) X(ENFILE) X(EMFILE) X(ENOTSOCK) X(EDESTADDRREQ) X(EMSGSIZE) X(EPROTOTYPE)        \
  X(ENOPROTOOPT) X(EPROTONOSUPPORT) X(EOPNOTSUPP) X(EAFNOSUPPORT) X(EADDRINUSE) X(EADDRNOTAVAIL)       \
  X(ENETDOWN) X(ENETUNREACH) X(ENOBUFS) X(EISCONN) X(ENOTCONN) X(ENXIO) X(EPIPE) X(ECONNRESET)          \
  X(ECONNABORTED) X(ETIMEDOUT) X(ECANCELED) X(ENODATA) X(EIO) X(EHOSTUNREACH) X(ESPIPE) X(EOVERFLOW)

static const char *errno_name(int err) {
  switch (err) {
#define CASE(name) case name: return #name;
    ERRNO_NAMES(CASE)
#undef CASE
    default: return "UNKNOWN";
  }
}

/*
 * An Error like Node's ErrnoException; `detail` (may be NULL) names what the call was about. NULL when even
 * that could not be made (then an exception is pending).
 */
static napi_value errno_error(napi_env env, int err, const char *syscall, const char *detail) {
  char message[192];
  const char *code = errno_name(err);
  /* Node's own wording, e.g. "bind EADDRINUSE 0.0.0.0:67", so callers handle both paths alike. */
  snprintf(message, sizeof message, "%s %s%s%s", syscall, code, detail ? " " : "", detail ? detail : "");
  napi_value js_code, js_message, js_errno, js_syscall, error;
  if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &js_code) != napi_ok ||
      napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &js_message) != napi_ok ||
      napi_create_error(env, js_code, js_message, &error) != napi_ok)
    return NULL;
  /* Node and libuv report errno negated (UV_ENODEV == -ENODEV); util.getSystemErrorName expects that. */
  if (napi_create_int32(env, -err, &js_errno) == napi_ok) napi_set_named_property(env, error, "errno", js_errno);
  if (napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &js_syscall) == napi_ok)
    napi_set_named_property(env, error, "syscall", js_syscall);
  return error;
}

/* Throws errno_error(...). */
static void throw_errno(napi_env env, int err, const char *syscall, const char *detail) {
  napi_value error = errno_error(env, err, syscall, detail);
  if (error) {
    napi_throw(env, error);
  } else {
    char message[192];
    snprintf(message, sizeof message, "%s %s%s%s", syscall, errno_name(err), detail ? " " : "", detail ? detail : "");
    napi_throw_error(env, errno_name(err), message);
  }
}

static napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

/* Reads up to `want` arguments; throws a TypeError and returns 0 when fewer were given. */
static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  if (argc < want) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "rackboot_net: missing arguments");
    return 0;
  }
  return 1;
}

static int get_fd(napi_env env, napi_value value, int *fd) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_number || napi_get_value_int32(env, value, fd) != napi_ok ||
      *fd < 0) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "rackboot_net: fd must be a non-negative integer");
    return 0;
  }
  return 1;
}

/* A new fd as a JS number; closes it and returns NULL (an exception pending) when that fails. */
static napi_value fd_value(napi_env env, int fd) {
  napi_value result;
  if (napi_create_int32(env, fd, &result) != napi_ok) {
    close(fd);
    return NULL;
  }
  return result;
}

/* A Uint8Array argument's bytes; throws a TypeError and returns 0 for anything else. */
static int get_bytes(napi_env env, napi_value value, void **data, size_t *length) {
  bool is_typed = false;
  napi_typedarray_type type;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, value, &type, length, data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "rackboot_net: bytes must be a Uint8Array");
    return 0;
  }
  return 1;
}

/* Copies a JS string into buf (NUL-terminated); throws a TypeError when it is not a string or does not fit. */
static int get_string(napi_env env, napi_value value, char *buf, size_t size, const char *what) {
  napi_valuetype type;
  size_t len = 0;
  char message[96];
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_string ||
      napi_get_value_string_utf8(env, value, NULL, 0, &len) != napi_ok) {
    snprintf(message, sizeof message, "rackboot_net: %s must be a string", what);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
    return 0;
  }
  if (len == 0 || len >= size) {
    snprintf(message, sizeof message, "rackboot_net: %s must be 1 to %zu bytes long", what, size - 1);
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", message);
    return 0;
  }
  napi_get_value_string_utf8(env, value, buf, size, &len);
  /* An embedded NUL would silently shorten the name the kernel sees. */
  if (strlen(buf) != len) {
    snprintf(message, sizeof message, "rackboot_net: %s must not contain NUL", what);
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", message);
    return 0;
  }
  return 1;
}

/* Reads a dotted-quad address (kept in `address` for error details) and a port into sin; throws when invalid. */
static int get_sockaddr(napi_env env, napi_value js_address, napi_value js_port, char address[INET_ADDRSTRLEN],
                        int32_t *port, struct sockaddr_in *sin) {
  if (!get_string(env, js_address, address, INET_ADDRSTRLEN, "address")) return 0;
  if (napi_get_value_int32(env, js_port, port) != napi_ok || *port < 0 || *port > 65535) {
    napi_throw_range_error(env, "ERR_SOCKET_BAD_PORT", "rackboot_net: port must be 0 to 65535");
    return 0;
  }
  memset(sin, 0, sizeof *sin);
  sin->sin_family = AF_INET;
  sin->sin_port = htons((uint16_t)*port);
  if (inet_pton(AF_INET, address, &sin->sin_addr) != 1) {
    napi_throw_type_error(env, "ERR_INVALID_IP_ADDRESS", "rackboot_net: address must be a dotted-quad IPv4 address");
    return 0;
  }
  return 1;
}

static napi_value socket_udp4(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) {
    throw_errno(env, errno, "socket", NULL);
    return NULL;
  }
  return fd_value(env, fd);
}

static napi_value set_reuse_addr(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  bool on;
  if (!get_args(env, info, 2, argv) || !get_fd(env, argv[0], &fd)) return NULL;
  if (napi_get_value_bool(env, argv[1], &on) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "rackboot_net: on must be a boolean");
    return NULL;
  }
  int value = on ? 1 : 0;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &value, sizeof value) != 0) {
    throw_errno(env, errno, "setsockopt", "SO_REUSEADDR");
    return NULL;
  }
  return undefined(env);
}

/*
 * setRecvBuffer(fd, bytes) -> number: a deep receive queue so a burst of DHCP requests waits in the kernel
 * instead of being dropped while JavaScript is busy. SO_RCVBUFFORCE (CAP_NET_ADMIN, i.e. root) passes the
 * net.core.rmem_max cap; without it SO_RCVBUF is used, capped. Returns what the kernel granted (getsockopt).
 */
static napi_value set_recv_buffer(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  int64_t bytes;
  if (!get_args(env, info, 2, argv) || !get_fd(env, argv[0], &fd)) return NULL;
  if (napi_get_value_int64(env, argv[1], &bytes) != napi_ok || bytes < 4096 || bytes > (1 << 28)) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "rackboot_net: bytes must be 4096 to 268435456");
    return NULL;
  }
  int value = (int)bytes;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &value, sizeof value) != 0 &&
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, sizeof value) != 0) {
    throw_errno(env, errno, "setsockopt", "SO_RCVBUF");
    return NULL;
  }
  int granted = 0;
  socklen_t len = sizeof granted;
  if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &len) != 0) {
    throw_errno(env, errno, "getsockopt", "SO_RCVBUF");
    return NULL;
  }
  napi_value result;
  napi_create_int32(env, granted, &result);
  return result;
}

static napi_value bind_to_device(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  char ifname[IFNAMSIZ];
  if (!get_args(env, info, 2, argv) || !get_fd(env, argv[0], &fd) ||
      !get_string(env, argv[1], ifname, sizeof ifname, "ifname"))
    return NULL;
  /* An empty name would remove the binding; get_string refuses it, so this only ever narrows a socket. */
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)(strlen(ifname) + 1)) != 0) {
    char detail[IFNAMSIZ + 20];
    snprintf(detail, sizeof detail, "SO_BINDTODEVICE %s", ifname);
    throw_errno(env, errno, "setsockopt", detail);
    return NULL;
  }
  return undefined(env);
}

static napi_value bind_ipv4(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int fd;
  int32_t port;
  char address[INET_ADDRSTRLEN];
  struct sockaddr_in sin;
  if (!get_args(env, info, 3, argv) || !get_fd(env, argv[0], &fd) || !get_sockaddr(env, argv[1], argv[2], address, &port, &sin))
    return NULL;
  if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
    char detail[INET_ADDRSTRLEN + 8];
    snprintf(detail, sizeof detail, "%s:%d", address, (int)port);
    throw_errno(env, errno, "bind", detail);
    return NULL;
  }
  return undefined(env);
}

/*
 * udpSend(fd, bytes, port?, address?) -> number: one datagram, synchronously, on a non-blocking UDP socket that
 * dgram also owns (it only reads from it). Without port/address the socket must be connected. dgram's send()
 * costs an address lookup on the next tick, a request object and a completion callback per packet; in a
 * lockstep TFTP transfer or a DHCP flood that is most of the time spent. Returns the bytes sent, or -1 when the
 * kernel would block (EAGAIN/ENOBUFS): the caller then falls back to dgram, which queues.
 */
static napi_value udp_send(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  size_t argc = 4;
  int fd;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 2) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "rackboot_net: udpSend(fd, bytes[, port, address])");
    return NULL;
  }
  if (!get_fd(env, argv[0], &fd)) return NULL;
  void *data = NULL;
  size_t length = 0;
  if (!get_bytes(env, argv[1], &data, &length)) return NULL;
  ssize_t sent;
  if (argc >= 4) {
    char address[INET_ADDRSTRLEN];
    int32_t port;
    struct sockaddr_in sin;
    if (!get_sockaddr(env, argv[3], argv[2], address, &port, &sin)) return NULL;
    do sent = sendto(fd, data, length, MSG_DONTWAIT, (struct sockaddr *)&sin, sizeof sin);
    while (sent < 0 && errno == EINTR);
  } else {
    do sent = send(fd, data, length, MSG_DONTWAIT);
    while (sent < 0 && errno == EINTR);
  }
  if (sent < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) sent = -1;
    else {
      throw_errno(env, errno, "send", NULL);
      return NULL;
    }
  }
  napi_value result;
  napi_create_int64(env, (int64_t)sent, &result);
  return result;
}

/*
 * The whole listening socket in one call, so that a failure part-way closes the fd here and JS never holds a
 * half-made socket. SO_BINDTODEVICE comes before bind(2), as for UDP: bind checks port conflicts per device,
 * and no SYN from another NIC can be queued before the socket is tied.
 */
static napi_value listen_tcp4(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t port;
  char address[INET_ADDRSTRLEN];
  char ifname[IFNAMSIZ];
  struct sockaddr_in sin;
  if (!get_args(env, info, 3, argv) || !get_sockaddr(env, argv[0], argv[1], address, &port, &sin) ||
      !get_string(env, argv[2], ifname, sizeof ifname, "ifname"))
    return NULL;
  /* Non-blocking from the start: libuv sets O_NONBLOCK again when it adopts the fd (uv_tcp_open). */
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP);
  if (fd < 0) {
    throw_errno(env, errno, "socket", NULL);
    return NULL;
  }
  const char *syscall = NULL;
  char detail[IFNAMSIZ + INET_ADDRSTRLEN + 24];
  int on = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0) {
    syscall = "setsockopt";
    snprintf(detail, sizeof detail, "SO_REUSEADDR");
  } else if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)(strlen(ifname) + 1)) != 0) {
    syscall = "setsockopt";
    snprintf(detail, sizeof detail, "SO_BINDTODEVICE %s", ifname);
  } else if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
    syscall = "bind";
    snprintf(detail, sizeof detail, "%s:%d", address, (int)port);
  } else if (listen(fd, 511) != 0) {
    syscall = "listen";
    snprintf(detail, sizeof detail, "%s:%d", address, (int)port);
  }
  if (syscall) {
    int err = errno;
    close(fd);
    throw_errno(env, err, syscall, detail);
    return NULL;
  }
  return fd_value(env, fd);
}

static napi_value ifindex(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char name[IFNAMSIZ];
  if (!get_args(env, info, 1, argv) || !get_string(env, argv[0], name, sizeof name, "name")) return NULL;
  unsigned int index = if_nametoindex(name);
  if (index == 0) {
    throw_errno(env, errno, "if_nametoindex", name);
    return NULL;
  }
  napi_value result;
  if (napi_create_uint32(env, index, &result) != napi_ok) return NULL;
  return result;
}

/*
 * sendfile(socketFd, fileFd, offset, count, callback, idleMs?) -> job: `count` bytes of fileFd from `offset`
 * to a connected non-blocking socket with sendfile(2), the kernel copying page cache to the socket (no user
 * buffer, no JavaScript per chunk). callback(err, sent) runs once, always asynchronously; `sent` counts the
 * bytes the kernel accepted, also on failure. The job has cancel() (stops at the next slice; the callback then
 * gets ECANCELED unless everything was already sent) and sent() (the bytes accepted so far).
 *
 * Never blocks the event loop and never parks a thread-pool thread on a slow client:
 *   - a round on the libuv thread pool calls sendfile(2) in slices of at most SENDFILE_SLICE bytes until the
 *     socket is full (EAGAIN), SENDFILE_ROUND bytes went out (then another round is queued, so one fast
 *     client shares the pool with file reads), the range is done, or an error;
 *   - a full socket is watched on the event loop (uv_poll for writability), with an idle timer: no room for
 *     `idleMs` (default 30 s) ends the job with ETIMEDOUT. A client that vanished shows as EPOLLHUP/EPOLLERR,
 *     after which sendfile(2) reports EPIPE or ECONNRESET.
 * TCP_CORK is on while the job runs (nginx's tcp_nopush): only full segments leave, not a short one at the end
 * of every sendfile(2) call; the end of the job uncorks, which pushes the tail. Not a TCP socket: no cork.
 * Both fds are dup(2)ed, so the caller may close its own (Node destroying the socket, the file closed) at any
 * time: the worker only ever uses fds that the job closes itself, after the last round. A connection whose
 * Node socket was destroyed therefore stays open until the job ends; callers cancel() when the socket closes.
 * Synchronous throws: bad arguments, a blocking socket (EINVAL) and fds that cannot be duplicated (EBADF).
 * Errors in the callback: sendfile's errno (EPIPE, ECONNRESET, EIO, EINVAL for an fd sendfile cannot read),
 * ETIMEDOUT, ECANCELED, and ENODATA when the file ends before offset + count.
 */
#define SENDFILE_SLICE ((int64_t)8 << 20)
#define SENDFILE_ROUND ((int64_t)16 << 20)
#define SENDFILE_IDLE_MS 30000
/* A refill on the loop thread sends at most this much before yielding to other connections... */
#define SENDFILE_INLINE_BUDGET ((int64_t)2 << 20)
/* ...and one that took longer than this (2 ms: it read the disk) sends the rest of the job to the pool. */
#define SENDFILE_INLINE_MAX_NS ((uint64_t)2000000)
/* Number.MAX_SAFE_INTEGER: offsets and counts arrive as JS numbers. */
#define MAX_SAFE_INTEGER 9007199254740991.0

enum job_state { JOB_ROUND, JOB_WAITING, JOB_DONE };

typedef struct {
  napi_env env;
  napi_ref self;     /* the job object, held until the job is done and its handles are closed */
  napi_ref callback; /* until it has been called */
  napi_async_context context;
  uv_loop_t *loop;
  uv_work_t work;
  uv_poll_t poll;
  uv_timer_t timer;
  int handles_ready; /* poll and timer initialised (on the first full socket) */
  int handles_open;  /* of those, not yet closed */
  int sock, file;    /* our duplicates; -1 once closed */
  int corked;
  /* Written by the worker during a round, read on the loop thread after it (uv orders the two). */
  int64_t offset, remaining;
  int err;
  int blocked;     /* the round stopped on a full socket */
  int poll_failed; /* the last wait ended with POLLERR: a further EAGAIN is an error, not a reason to wait */
  int inline_ok;   /* refills may run on the loop thread (cleared after one that hit the disk) */
  /* Shared between the worker and the loop thread while a round runs: __atomic. */
  int64_t sent;
  int cancelled;
  int64_t count;
  uint32_t idle_ms;
  enum job_state state;
} sendfile_job;

static void sendfile_queue(sendfile_job *job);
static void sendfile_wait(sendfile_job *job);
static void sendfile_timer(uv_timer_t *timer);

/* The socket's pending error (SO_ERROR), or EPIPE when it has none. */
static int socket_error(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err == 0) err = EPIPE;
  return err;
}

/*
 * One round: sendfile(2) until the socket is full, `budget` bytes went out, or an error. Runs on the thread pool
 * (sendfile_round), or on the loop thread when the socket just became writable and the file has been coming
 * from the page cache (sendfile_writable). Touches only the job's own fds and fields the loop thread leaves
 * alone while a pool round runs.
 */
static void sendfile_some(sendfile_job *job, int64_t budget) {
  job->blocked = 0;
  while (job->remaining > 0 && budget > 0) {
    if (__atomic_load_n(&job->cancelled, __ATOMIC_ACQUIRE)) {
      job->err = ECANCELED;
      return;
    }
    int64_t want = job->remaining < budget ? job->remaining : budget;
    if (want > SENDFILE_SLICE) want = SENDFILE_SLICE;
    off_t offset = (off_t)job->offset;
    ssize_t n = sendfile(job->sock, job->file, &offset, (size_t)want);
    if (n > 0) {
      job->offset += n;
      job->remaining -= n;
      budget -= n;
      __atomic_add_fetch(&job->sent, (int64_t)n, __ATOMIC_RELEASE);
      continue;
    }
    if (n == 0) {
      job->err = ENODATA; /* end of file before offset + count: the file shrank */
      return;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (job->poll_failed) job->err = socket_error(job->sock);
      else job->blocked = 1;
      return;
    }
    job->err = errno;
    return;
  }
}

static void sendfile_round(uv_work_t *req) {
  sendfile_some(req->data, SENDFILE_ROUND);
}

static void sendfile_release(sendfile_job *job) {
  /* Nothing refers to the job from C any more: the object may be collected, and its finalizer frees the job. */
  napi_ref self = job->self;
  job->self = NULL;
  if (self) napi_delete_reference(job->env, self);
}

static void sendfile_closed(uv_handle_t *handle) {
  sendfile_job *job = handle->data;
  if (--job->handles_open == 0) sendfile_release(job);
}

/* Ends the job on the loop thread: closes what it holds, then calls back once. */
static void sendfile_finish(sendfile_job *job) {
  napi_env env = job->env;
  job->state = JOB_DONE;
  if (job->corked) {
    /* Pushes what the cork held back. */
    int off = 0;
    setsockopt(job->sock, IPPROTO_TCP, TCP_CORK, &off, sizeof off);
  }
  if (job->handles_ready) {
    /* uv_close stops the poll and takes the fd out of epoll at once, so the fd may be closed right after. */
    uv_close((uv_handle_t *)&job->poll, sendfile_closed);
    uv_close((uv_handle_t *)&job->timer, sendfile_closed);
  }
  close(job->sock);
  close(job->file);
  job->sock = job->file = -1;

  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) == napi_ok) {
    napi_value callback, recv, argv[2];
    if (napi_get_reference_value(env, job->callback, &callback) == napi_ok && callback &&
        napi_get_reference_value(env, job->self, &recv) == napi_ok && recv) {
      int64_t sent = __atomic_load_n(&job->sent, __ATOMIC_ACQUIRE);
      if (job->err) {
        char detail[96];
        snprintf(detail, sizeof detail, "after %lld of %lld bytes", (long long)sent, (long long)job->count);
        argv[0] = errno_error(env, job->err, "sendfile", detail);
        napi_value js_sent;
        if (argv[0] && napi_create_int64(env, sent, &js_sent) == napi_ok) napi_set_named_property(env, argv[0], "sent", js_sent);
      } else {
        napi_get_null(env, &argv[0]);
      }
      if (argv[0] && napi_create_int64(env, sent, &argv[1]) == napi_ok &&
          napi_make_callback(env, job->context, recv, callback, 2, argv, NULL) == napi_pending_exception) {
        /* Thrown by the callback: the process's uncaughtException, as for any other callback. */
        napi_value exception;
        if (napi_get_and_clear_last_exception(env, &exception) == napi_ok) napi_fatal_exception(env, exception);
      }
    }
    napi_close_handle_scope(env, scope);
  }
  napi_delete_reference(env, job->callback);
  job->callback = NULL;
  napi_async_destroy(env, job->context);
  job->context = NULL;
  if (job->handles_open == 0) sendfile_release(job);
}

static void sendfile_writable(uv_poll_t *poll, int status, int events) {
  sendfile_job *job = poll->data;
  (void)events;
  /* POLLERR comes as a status: the next sendfile(2) names the error (EPIPE, ECONNRESET). */
  if (status < 0) job->poll_failed = 1;
  if (job->inline_ok && !job->poll_failed && !__atomic_load_n(&job->cancelled, __ATOMIC_ACQUIRE)) {
    /*
     * Refill the socket right here, as an event-driven server does, instead of a thread-pool round trip per
     * refill (which leaves the socket drained meanwhile: with 50 clients that cost 10 % of the throughput).
     * The poll stays armed (level-triggered): it fires again as soon as there is room, after every other
     * ready connection had its turn. Page-cache data costs microseconds; a round that took longer read the
     * disk, and then the rest of this job goes back to the pool, so a cold file never stalls the loop twice.
     */
    uint64_t t0 = uv_hrtime();
    sendfile_some(job, SENDFILE_INLINE_BUDGET);
    if (uv_hrtime() - t0 > SENDFILE_INLINE_MAX_NS) job->inline_ok = 0;
    if (job->err || job->remaining == 0) {
      sendfile_finish(job);
      return;
    }
    if (job->inline_ok || job->blocked) {
      uv_timer_start(&job->timer, sendfile_timer, job->idle_ms, 0);
      return;
    }
  }
  uv_poll_stop(&job->poll);
  uv_timer_stop(&job->timer);
  sendfile_queue(job);
}

/* The idle timer, or cancel() while waiting (a zero timeout, so the callback stays asynchronous). */
static void sendfile_timer(uv_timer_t *timer) {
  sendfile_job *job = timer->data;
  uv_poll_stop(&job->poll);
  job->err = __atomic_load_n(&job->cancelled, __ATOMIC_ACQUIRE) ? ECANCELED : ETIMEDOUT;
  sendfile_finish(job);
}

/* The socket is full: wait on the loop until it takes more, at most idle_ms. */
static void sendfile_wait(sendfile_job *job) {
  int r = 0;
  if (!job->handles_ready) {
    r = uv_poll_init(job->loop, &job->poll, job->sock);
    if (r == 0) {
      uv_timer_init(job->loop, &job->timer);
      job->poll.data = job;
      job->timer.data = job;
      job->handles_ready = 1;
      job->handles_open = 2;
    }
  }
  if (r == 0) r = uv_poll_start(&job->poll, UV_WRITABLE, sendfile_writable);
  if (r == 0) r = uv_timer_start(&job->timer, sendfile_timer, job->idle_ms, 0);
  if (r != 0) {
    job->err = -r; /* libuv errors are negated errnos on Unix */
    sendfile_finish(job);
    return;
  }
  job->poll_failed = 0;
  job->state = JOB_WAITING;
}

/* After a round: finish, wait for room, or go on. */
static void sendfile_after(uv_work_t *req, int status) {
  sendfile_job *job = req->data;
  if (status == UV_ECANCELED && !job->err) job->err = ECANCELED;
  if (!job->err && job->remaining > 0 && __atomic_load_n(&job->cancelled, __ATOMIC_ACQUIRE)) job->err = ECANCELED;
  if (job->err || job->remaining == 0) sendfile_finish(job);
  else if (job->blocked) sendfile_wait(job);
  else sendfile_queue(job);
}

static void sendfile_queue(sendfile_job *job) {
  job->state = JOB_ROUND;
  int r = uv_queue_work(job->loop, &job->work, sendfile_round, sendfile_after);
  if (r != 0) {
    job->err = -r;
    sendfile_finish(job);
  }
}

static void sendfile_finalize(napi_env env, void *data, void *hint) {
  sendfile_job *job = data;
  (void)env;
  (void)hint;
  /* Collected only after sendfile_release; at environment teardown a job may still be running: leave it be. */
  if (job->state == JOB_DONE && job->handles_open == 0) free(job);
}

static sendfile_job *this_job(napi_env env, napi_callback_info info) {
  napi_value self;
  sendfile_job *job = NULL;
  if (napi_get_cb_info(env, info, NULL, NULL, &self, NULL) != napi_ok || napi_unwrap(env, self, (void **)&job) != napi_ok || !job) {
    napi_throw_type_error(env, "ERR_INVALID_THIS", "rackboot_net: not a sendfile job");
    return NULL;
  }
  return job;
}

static napi_value sendfile_cancel(napi_env env, napi_callback_info info) {
  sendfile_job *job = this_job(env, info);
  if (!job) return NULL;
  if (job->state != JOB_DONE && !__atomic_exchange_n(&job->cancelled, 1, __ATOMIC_ACQ_REL) && job->state == JOB_WAITING) {
    /* A round in flight sees the flag before its next slice; a wait ends now. */
    uv_poll_stop(&job->poll);
    uv_timer_start(&job->timer, sendfile_timer, 0, 0);
  }
  return undefined(env);
}

static napi_value sendfile_sent(napi_env env, napi_callback_info info) {
  sendfile_job *job = this_job(env, info);
  if (!job) return NULL;
  napi_value result;
  if (napi_create_int64(env, __atomic_load_n(&job->sent, __ATOMIC_ACQUIRE), &result) != napi_ok) return NULL;
  return result;
}

/* A non-negative integer JS number up to Number.MAX_SAFE_INTEGER. */
static int get_size(napi_env env, napi_value value, int64_t *out, const char *what) {
  napi_valuetype type;
  double d;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_number || napi_get_value_double(env, value, &d) != napi_ok ||
      !(d >= 0 && d <= MAX_SAFE_INTEGER) || d != (double)(int64_t)d) {
    char message[96];
    snprintf(message, sizeof message, "rackboot_net: %s must be an integer from 0 to 2^53 - 1", what);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", message);
    return 0;
  }
  *out = (int64_t)d;
  return 1;
}

static napi_value sendfile_start(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  size_t argc = 6;
  int sock, file;
  int64_t offset, count;
  uint32_t idle_ms = SENDFILE_IDLE_MS;
  napi_valuetype type;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 5) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "rackboot_net: missing arguments");
    return NULL;
  }
  if (!get_fd(env, argv[0], &sock) || !get_fd(env, argv[1], &file) || !get_size(env, argv[2], &offset, "offset") ||
      !get_size(env, argv[3], &count, "count"))
    return NULL;
  if (napi_typeof(env, argv[4], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "rackboot_net: callback must be a function");
    return NULL;
  }
  if (argc > 5 && napi_typeof(env, argv[5], &type) == napi_ok && type != napi_undefined) {
    double d;
    if (type != napi_number || napi_get_value_double(env, argv[5], &d) != napi_ok || !(d >= 1 && d <= 2147483647.0)) {
      napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "rackboot_net: idleMs must be 1 to 2147483647");
      return NULL;
    }
    idle_ms = (uint32_t)d;
  }
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return NULL;
  /* A blocking socket would hold a pool thread until the client reads, and no cancel() could free it. */
  int flags = fcntl(sock, F_GETFL);
  if (flags < 0) {
    throw_errno(env, errno, "fcntl", "socket");
    return NULL;
  }
  if (!(flags & O_NONBLOCK)) {
    throw_errno(env, EINVAL, "sendfile", "the socket must be non-blocking");
    return NULL;
  }
  int sock_dup = fcntl(sock, F_DUPFD_CLOEXEC, 0);
  if (sock_dup < 0) {
    throw_errno(env, errno, "dup", "socket");
    return NULL;
  }
  int file_dup = fcntl(file, F_DUPFD_CLOEXEC, 0);
  if (file_dup < 0) {
    int err = errno;
    close(sock_dup);
    throw_errno(env, err, "dup", "file");
    return NULL;
  }
  sendfile_job *job = calloc(1, sizeof *job);
  if (!job) {
    close(sock_dup);
    close(file_dup);
    throw_errno(env, ENOMEM, "sendfile", NULL);
    return NULL;
  }
  job->env = env;
  job->loop = loop;
  job->sock = sock_dup;
  job->file = file_dup;
  job->offset = offset;
  job->remaining = count;
  job->count = count;
  job->idle_ms = idle_ms;
  job->inline_ok = 1;
  job->work.data = job;
  job->state = JOB_ROUND;

  napi_value object, cancel, sent, name;
  int wrapped = 0;
  if (napi_create_object(env, &object) != napi_ok ||
      napi_create_function(env, "cancel", NAPI_AUTO_LENGTH, sendfile_cancel, NULL, &cancel) != napi_ok ||
      napi_create_function(env, "sent", NAPI_AUTO_LENGTH, sendfile_sent, NULL, &sent) != napi_ok ||
      napi_set_named_property(env, object, "cancel", cancel) != napi_ok ||
      napi_set_named_property(env, object, "sent", sent) != napi_ok ||
      !(wrapped = napi_wrap(env, object, job, sendfile_finalize, NULL, NULL) == napi_ok) ||
      napi_create_reference(env, object, 1, &job->self) != napi_ok ||
      napi_create_reference(env, argv[4], 1, &job->callback) != napi_ok ||
      napi_create_string_utf8(env, "rackboot.sendfile", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, object, name, &job->context) != napi_ok)
    goto fail;
  int on = 1;
  job->corked = setsockopt(sock_dup, IPPROTO_TCP, TCP_CORK, &on, sizeof on) == 0;
  int r = uv_queue_work(loop, &job->work, sendfile_round, sendfile_after);
  if (r != 0) {
    throw_errno(env, -r, "uv_queue_work", NULL);
    goto fail;
  }
  return object;

fail:
  if (job->corked) {
    int off = 0;
    setsockopt(sock_dup, IPPROTO_TCP, TCP_CORK, &off, sizeof off);
  }
  close(sock_dup);
  close(file_dup);
  if (job->context) napi_async_destroy(env, job->context);
  if (job->callback) napi_delete_reference(env, job->callback);
  if (job->self) napi_delete_reference(env, job->self);
  job->state = JOB_DONE;
  /* Once wrapped, the object's finalizer frees the job. */
  if (!wrapped) free(job);
  return NULL;
}

/*
 * socketIcmp6(ifname): raw ICMPv6 for sending router advertisements to one machine (see electron/core/net/ra.ts).
 * Every incoming ICMPv6 type is filtered out (ICMP6_FILTER), so nothing queues on a socket nobody reads.
 */
static napi_value socket_icmp6(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char ifname[IF_NAMESIZE];
  if (!get_args(env, info, 1, argv) || !get_string(env, argv[0], ifname, sizeof ifname, "ifname")) return NULL;
  int fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMPV6);
  if (fd < 0) {
    throw_errno(env, errno, "socket", "AF_INET6 SOCK_RAW IPPROTO_ICMPV6");
    return NULL;
  }
  struct icmp6_filter filter;
  ICMP6_FILTER_SETBLOCKALL(&filter);
  int hops = 255;
  const char *what = NULL;
  if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) != 0) what = "ICMP6_FILTER";
  else if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) != 0) what = "SO_BINDTODEVICE";
  else if (setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops) != 0) what = "IPV6_UNICAST_HOPS";
  else if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) != 0) what = "IPV6_MULTICAST_HOPS";
  if (what) {
    int err = errno;
    close(fd);
    throw_errno(env, err, "setsockopt", what);
    return NULL;
  }
  return fd_value(env, fd);
}

static napi_value icmp6_send(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int fd;
  if (!get_args(env, info, 4, argv) || !get_fd(env, argv[0], &fd)) return NULL;
  void *data = NULL;
  size_t length = 0;
  if (!get_bytes(env, argv[1], &data, &length)) return NULL;
  char address[INET6_ADDRSTRLEN];
  uint32_t scope = 0;
  if (!get_string(env, argv[2], address, sizeof address, "address")) return NULL;
  if (napi_get_value_uint32(env, argv[3], &scope) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "rackboot_net: ifindex must be a number");
    return NULL;
  }
  struct sockaddr_in6 sin6;
  memset(&sin6, 0, sizeof sin6);
  sin6.sin6_family = AF_INET6;
  sin6.sin6_scope_id = scope;
  if (inet_pton(AF_INET6, address, &sin6.sin6_addr) != 1) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "rackboot_net: address must be an IPv6 address");
    return NULL;
  }
  ssize_t sent;
  do sent = sendto(fd, data, length, MSG_DONTWAIT, (struct sockaddr *)&sin6, sizeof sin6);
  while (sent < 0 && errno == EINTR);
  if (sent < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) sent = -1;
    else {
      throw_errno(env, errno, "sendto", address);
      return NULL;
    }
  }
  napi_value result;
  napi_create_int64(env, (int64_t)sent, &result);
  return result;
}

NAPI_MODULE_INIT() {
  static const struct {
    const char *name;
    napi_callback cb;
  } fns[] = {
      {"socketUdp4", socket_udp4},   {"setReuseAddr", set_reuse_addr}, {"bindToDevice", bind_to_device},
      {"bindIPv4", bind_ipv4},       {"ifindex", ifindex},             {"listenTcp4", listen_tcp4},
      {"setRecvBuffer", set_recv_buffer}, {"udpSend", udp_send}, {"sendfile", sendfile_start},
      {"socketIcmp6", socket_icmp6}, {"icmp6Send", icmp6_send},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value fn;
    if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].cb, NULL, &fn) != napi_ok ||
        napi_set_named_property(env, exports, fns[i].name, fn) != napi_ok)
      return NULL;
  }
  return exports;
}
