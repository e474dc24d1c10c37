// What the wasi:sockets guests share, beside p2check.h: error-code names,
// the SK_OK/SK_ERR checks, addresses, and numbers from the arguments.
#ifndef CAPWASI_P2NET_H
#define CAPWASI_P2NET_H
#include "p2check.h"

typedef wasi_sockets_network_error_code_t sock_code_t;
typedef wasi_sockets_network_ip_socket_address_t sockaddr_t;
typedef wasi_sockets_tcp_borrow_tcp_socket_t tcp_t;

static inline const char *sock_code_name(sock_code_t c) {
  static const char *const names[] = {
      "unknown", "access-denied", "not-supported", "invalid-argument",
      "out-of-memory", "timeout", "concurrency-conflict", "not-in-progress",
      "would-block", "invalid-state", "new-socket-limit",
      "address-not-bindable", "address-in-use", "remote-unreachable",
      "connection-refused", "connection-reset", "connection-aborted",
      "datagram-too-large", "name-unresolvable", "temporary-resolver-failure",
      "permanent-resolver-failure"};
  return c < sizeof names / sizeof names[0] ? names[c] : "?";
}

// The error code of the last failed socket call; every socket call in the
// guests passes &sc as its error out-parameter.
static __attribute__((unused)) sock_code_t sc;

// A socket `call` (returning bool, writing &sc on failure) must succeed.
#define SK_OK(call)                                                            \
  do {                                                                         \
    if (!(call)) p2_fail(__FILE__, __LINE__, #call, sock_code_name(sc));       \
  } while (0)

// A socket `call` must fail with error code `want`.
#define SK_ERR(call, want)                                                     \
  do {                                                                         \
    if (call) p2_fail(__FILE__, __LINE__, #call, "succeeded, want " #want);    \
    if (sc != (want)) p2_fail(__FILE__, __LINE__, #call, sock_code_name(sc));  \
  } while (0)

// The instance network, fetched once.
static wasi_sockets_network_own_network_t net_handle;
static bool net_open;
static inline wasi_sockets_network_borrow_network_t net(void) {
  if (!net_open) {
    net_handle = wasi_sockets_instance_network_instance_network();
    net_open = true;
  }
  return wasi_sockets_network_borrow_network(net_handle);
}

static inline sockaddr_t v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port) {
  sockaddr_t s = {.tag = WASI_SOCKETS_NETWORK_IP_SOCKET_ADDRESS_IPV4};
  s.val.ipv4.port = port;
  s.val.ipv4.address = (wasi_sockets_network_ipv4_address_t){a, b, c, d};
  return s;
}

static inline sockaddr_t loopback4(uint16_t port) { return v4(127, 0, 0, 1, port); }

static inline sockaddr_t loopback6(uint16_t port) {
  sockaddr_t s = {.tag = WASI_SOCKETS_NETWORK_IP_SOCKET_ADDRESS_IPV6};
  s.val.ipv6.port = port;
  s.val.ipv6.address.f7 = 1;
  return s;
}

static inline uint16_t port_of(const sockaddr_t *s) {
  return s->tag == WASI_SOCKETS_NETWORK_IP_SOCKET_ADDRESS_IPV4 ? s->val.ipv4.port
                                                               : s->val.ipv6.port;
}

// A decimal argument; anything else fails the guest.
static inline uint64_t arg_u64(const command_list_string_t *args, size_t i) {
  if (i >= args->len) p2_fail(__FILE__, __LINE__, "missing argument", NULL);
  const command_string_t *s = &args->ptr[i];
  if (s->len == 0) p2_fail(__FILE__, __LINE__, "empty number", NULL);
  uint64_t v = 0;
  for (size_t j = 0; j < s->len; j++) {
    if (s->ptr[j] < '0' || s->ptr[j] > '9') p2_fail(__FILE__, __LINE__, "not a number", NULL);
    v = v * 10 + (uint64_t)(s->ptr[j] - '0');
  }
  return v;
}

#define MS 1000000ull

// Waits until p is ready or `ns` nanoseconds have passed; returns whether
// it is ready. The socket guests bound every wait, so that a peer that
// never answers fails the guest instead of hanging the test.
static inline bool wait_ready_ns(pollable_t p, uint64_t ns) {
  pollable_t timer = wasi_clocks_monotonic_clock_subscribe_duration(ns);
  wasi_io_poll_borrow_pollable_t both[2] = {wasi_io_poll_borrow_pollable(p),
                                            wasi_io_poll_borrow_pollable(timer)};
  wasi_io_poll_list_borrow_pollable_t list = {both, 2};
  command_list_u32_t which;
  wasi_io_poll_poll(&list, &which);
  command_list_u32_free(&which);
  pollable_drop(timer);
  return ready(p);
}

// As wait_ready_ns, in milliseconds.
static inline bool wait_ready(pollable_t p, uint64_t ms) { return wait_ready_ns(p, ms * MS); }

// Prints "got WHAT CODE" for a socket error code.
static inline void got_sock_code(const char *what, sock_code_t c) {
  out_str("got ");
  out_str(what);
  out_str(" ");
  out_str(sock_code_name(c));
  out_str("\n");
}
#endif
