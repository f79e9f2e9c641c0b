/*
 * rackboot_net: the few socket calls Node's dgram and net cannot make, so that a UDP socket or a TCP listener
 * answers on one NIC only.
 *
 * Plain C on node_api.h alone: N-API is ABI-stable, so one binary loads in Node and in Electron without a
 * rebuild. Linux only (SO_BINDTODEVICE); binding.gyp compiles nothing elsewhere and bind.ts reports that.
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
 *   listenTcp4(address, port, ifname): number  a listening TCP socket tied to ifname: socket(AF_INET,
 *                                            SOCK_STREAM), SO_REUSEADDR (as libuv sets for every server),
 *                                            SO_BINDTODEVICE, bind(2), listen(2) with Node's backlog of 511;
 *                                            closed again on any failure. net.Server adopts it with listen({ fd }).
 */
#include <node_api.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ERRNO_NAMES(X)                                                                                   \
  X(EPERM) X(ENOENT) X(EINTR) X(EBADF) X(EAGAIN) X(ENOMEM) X(EACCES) X(EFAULT) X(EBUSY) X(EEXIST)      \
  X(ENODEV) X(EINVAL) X(ENFILE) X(EMFILE) X(ENOTSOCK) X(EDESTADDRREQ) X(EMSGSIZE) X(EPROTOTYPE)        \
  X(ENOPROTOOPT) X(EPROTONOSUPPORT) X(EOPNOTSUPP) X(EAFNOSUPPORT) X(EADDRINUSE) X(EADDRNOTAVAIL)       \
  X(ENETDOWN) X(ENETUNREACH) X(ENOBUFS) X(EISCONN) X(ENOTCONN) X(ENXIO)

static const char *errno_name(int err) {
  switch (err) {
#define CASE(name) case name: return #name;
    ERRNO_NAMES(CASE)
#undef CASE
    default: return "UNKNOWN";
  }
}

/* Throws an Error like Node's ErrnoException; `detail` (may be NULL) names what the call was about. */
static void throw_errno(napi_env env, int err, const char *syscall, const char *detail) {
  char message[160];
  const char *code = errno_name(err);
  /* Node's own wording, e.g. "bind EADDRINUSE 0.0.0.0:67", so callers handle both paths alike. */
  snprintf(message, sizeof message, "%s %s%s%s", syscall, code, detail ? " " : "", detail ? detail : "");
  napi_value js_code, js_message, js_errno, js_syscall, error;
  if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &js_code) != napi_ok ||
      napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &js_message) != napi_ok ||
      napi_create_error(env, js_code, js_message, &error) != napi_ok) {
    napi_throw_error(env, code, message);
    return;
  }
  /* Node and libuv report errno negated (UV_ENODEV == -ENODEV); util.getSystemErrorName expects that. */
  if (napi_create_int32(env, -err, &js_errno) == napi_ok) napi_set_named_property(env, error, "errno", js_errno);
  if (napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &js_syscall) == napi_ok)
    napi_set_named_property(env, error, "syscall", js_syscall);
  napi_throw(env, error);
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
  napi_value result;
  if (napi_create_int32(env, fd, &result) != napi_ok) {
    close(fd);
    return NULL;
  }
  return result;
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
  napi_value result;
  if (napi_create_int32(env, fd, &result) != napi_ok) {
    close(fd);
    return NULL;
  }
  return result;
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

NAPI_MODULE_INIT() {
  static const struct {
    const char *name;
    napi_callback cb;
  } fns[] = {
      {"socketUdp4", socket_udp4},   {"setReuseAddr", set_reuse_addr}, {"bindToDevice", bind_to_device},
      {"bindIPv4", bind_ipv4},       {"ifindex", ifindex},             {"listenTcp4", listen_tcp4},
      {"setRecvBuffer", set_recv_buffer},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value fn;
    if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].cb, NULL, &fn) != napi_ok ||
        napi_set_named_property(env, exports, fns[i].name, fn) != napi_ok)
      return NULL;
  }
  return exports;
}
