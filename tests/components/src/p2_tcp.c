// wasi:sockets TCP from the guest's side: connecting, listening, options,
// the state machine, the address policy and bad input. Loopback only. The
// first argument picks the mode; the test that runs it grants what the mode
// needs and plays the peer with std::net:
//
//   client PORT4 [PORT6]  connects to 127.0.0.1:PORT4 (and [::1]:PORT6 unless
//             it is absent or 0), sends "guest port=N" with N its local
//             port, and expects the peer to answer with the same bytes
//             reversed, then close.
//   server PORT  listens on 127.0.0.1:PORT with options set that an
//             accepted socket inherits, accepts one peer, reads
//             "hello guest", answers "peer port=N" with N the peer's port,
//             and expects the peer to close.
//   options   every option of an IPv4 and an IPv6 socket: set, read back,
//             0 refused, the largest value clamped.
//   states OPEN CLOSED  every call in every state it is not for; OPEN is a
//             port with a listener, CLOSED one without.
//   nothing   creating a socket is refused.
//   denied PORT4 PORT6  with only "bind=127.0.0.1:0" granted: connecting to
//             the listeners on PORT4 and [::1]:PORT6, binding elsewhere, and
//             listening are refused.
//   accept-denied PORT  listens on 127.0.0.1:PORT and waits for a peer the
//             policy does not let in: accept never hands it over.
//   range P   with "connect=127.0.0.1:P+1-P+2" granted, connects to P to
//             P+3: the edges of the range are let through, their
//             neighbours refused.
//   bad PORT  addresses wasi:sockets calls invalid, binds to 127.0.0.1:PORT
//             (taken by a listener) and 192.0.2.1 (not the host's), and
//             huge backlogs.
//   many      creates up to 10000 sockets; the host's table limit answers
//             new-socket-limit, and once they are dropped one more can be
//             made.
//   accept-limit PORT  listens on 127.0.0.1:PORT, fills the table, and
//             expects accept to refuse the pending peer with
//             new-socket-limit without losing it: once there is room it is
//             accepted, and its "queued" is read.
//   half-close PORT  two connections to 127.0.0.1:PORT: on the first the
//             guest shuts its sending half and still reads; on the second
//             the peer shuts its sending half and the guest still writes.
//
// Every wait is on a pollable together with a clock, so that a peer that
// never answers fails the guest instead of hanging it; every loop is
// bounded.
#include "p2net.h"

typedef wasi_sockets_tcp_own_tcp_socket_t tcp_own_t;
typedef wasi_io_streams_own_input_stream_t in_own_t;
typedef wasi_io_streams_own_output_stream_t out_own_t;
typedef wasi_io_streams_borrow_input_stream_t istream_t;
typedef wasi_io_streams_borrow_output_stream_t ostream_t;

#define TCP(method) wasi_sockets_tcp_method_tcp_socket_##method
#define V4 WASI_SOCKETS_NETWORK_IP_ADDRESS_FAMILY_IPV4
#define V6 WASI_SOCKETS_NETWORK_IP_ADDRESS_FAMILY_IPV6
#define SHUT_RECEIVE WASI_SOCKETS_TCP_SHUTDOWN_TYPE_RECEIVE
#define SHUT_SEND WASI_SOCKETS_TCP_SHUTDOWN_TYPE_SEND
#define SHUT_BOTH WASI_SOCKETS_TCP_SHUTDOWN_TYPE_BOTH

#define E_ACCESS_DENIED WASI_SOCKETS_NETWORK_ERROR_CODE_ACCESS_DENIED
#define E_INVALID_ARGUMENT WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_ARGUMENT
#define E_CONCURRENCY_CONFLICT WASI_SOCKETS_NETWORK_ERROR_CODE_CONCURRENCY_CONFLICT
#define E_NOT_IN_PROGRESS WASI_SOCKETS_NETWORK_ERROR_CODE_NOT_IN_PROGRESS
#define E_WOULD_BLOCK WASI_SOCKETS_NETWORK_ERROR_CODE_WOULD_BLOCK
#define E_INVALID_STATE WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_STATE
#define E_NEW_SOCKET_LIMIT WASI_SOCKETS_NETWORK_ERROR_CODE_NEW_SOCKET_LIMIT
#define E_CONNECTION_REFUSED WASI_SOCKETS_NETWORK_ERROR_CODE_CONNECTION_REFUSED
#define E_ADDRESS_IN_USE WASI_SOCKETS_NETWORK_ERROR_CODE_ADDRESS_IN_USE
#define E_ADDRESS_NOT_BINDABLE WASI_SOCKETS_NETWORK_ERROR_CODE_ADDRESS_NOT_BINDABLE

#define SEC 1000000000ull
// How long any one wait may take before the guest gives up on its peer.
#define PATIENCE (20 * SEC)
// The most times a finish-connect, accept or read is retried after a wait.
#define RETRIES 1000

typedef wasi_sockets_tcp_tuple2_own_input_stream_own_output_stream_t streams_t;
typedef wasi_sockets_tcp_tuple3_own_tcp_socket_own_input_stream_own_output_stream_t accepted_t;

static tcp_t B(tcp_own_t s) { return wasi_sockets_tcp_borrow_tcp_socket(s); }

static tcp_own_t tcp_new(uint8_t family) {
  tcp_own_t s;
  SK_OK(wasi_sockets_tcp_create_socket_create_tcp_socket(family, &s, &sc));
  return s;
}

static void tcp_drop(tcp_own_t s) { wasi_sockets_tcp_tcp_socket_drop_own(s); }

static void streams_drop(in_own_t in, out_own_t out) {
  wasi_io_streams_input_stream_drop_own(in);
  wasi_io_streams_output_stream_drop_own(out);
}

static const char *family_name(uint8_t family) { return family == V4 ? "ipv4" : "ipv6"; }

// "ok NAME-FAMILY".
static void ok_in(const char *name, uint8_t family) {
  out_str("ok ");
  out_str(name);
  out_str("-");
  out_str(family_name(family));
  out_str("\n");
}

// "got NAME-FAMILY VALUE".
static void got_in(const char *name, uint8_t family, uint64_t value) {
  out_str("got ");
  out_str(name);
  out_str("-");
  out_str(family_name(family));
  out_str(" ");
  out_u64(value);
  out_str("\n");
}

// Writes v in decimal at buf; returns the length.
static size_t fmt_u64(char *buf, uint64_t v) {
  char digits[24];
  size_t n = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (size_t i = 0; i < n; i++) buf[i] = digits[n - 1 - i];
  return n;
}

static sockaddr_t v6(uint16_t a0, uint16_t a5, uint16_t a6, uint16_t a7, uint16_t port) {
  sockaddr_t s = {.tag = WASI_SOCKETS_NETWORK_IP_SOCKET_ADDRESS_IPV6};
  s.val.ipv6.port = port;
  s.val.ipv6.address.f0 = a0;
  s.val.ipv6.address.f5 = a5;
  s.val.ipv6.address.f6 = a6;
  s.val.ipv6.address.f7 = a7;
  return s;
}

static sockaddr_t loopback(uint8_t family, uint16_t port) {
  return family == V4 ? loopback4(port) : loopback6(port);
}

static bool same_ip(const sockaddr_t *a, const sockaddr_t *b) {
  if (a->tag != b->tag) return false;
  if (a->tag == WASI_SOCKETS_NETWORK_IP_SOCKET_ADDRESS_IPV4)
    return memcmp(&a->val.ipv4.address, &b->val.ipv4.address, sizeof a->val.ipv4.address) == 0;
  return memcmp(&a->val.ipv6.address, &b->val.ipv6.address, sizeof a->val.ipv6.address) == 0;
}

static bool same_addr(const sockaddr_t *a, const sockaddr_t *b) {
  return same_ip(a, b) && port_of(a) == port_of(b);
}

#define WAIT(p)                                                                \
  do {                                                                         \
    if (!wait_ready_ns((p), PATIENCE)) p2_fail(__FILE__, __LINE__, "not ready in time", #p); \
  } while (0)

// Finishes the connect s started, waiting on its pollable; its streams.
static void finish_connect(tcp_own_t s, in_own_t *in, out_own_t *out) {
  pollable_t p = TCP(subscribe)(B(s));
  streams_t io;
  for (int i = 0;; i++) {
    CHECK(i < RETRIES);
    if (TCP(finish_connect)(B(s), &io, &sc)) break;
    if (sc != E_WOULD_BLOCK) p2_fail(__FILE__, __LINE__, "finish-connect", sock_code_name(sc));
    WAIT(p);
  }
  pollable_drop(p);
  *in = io.f0;
  *out = io.f1;
}

static void connect(tcp_own_t s, sockaddr_t to, in_own_t *in, out_own_t *out) {
  SK_OK(TCP(start_connect)(B(s), net(), &to, &sc));
  finish_connect(s, in, out);
}

// The next connection on listener l, waiting for one.
static accepted_t accept_one(tcp_own_t l) {
  pollable_t p = TCP(subscribe)(B(l));
  accepted_t a;
  for (int i = 0;; i++) {
    CHECK(i < RETRIES);
    if (TCP(accept)(B(l), &a, &sc)) break;
    if (sc != E_WOULD_BLOCK) p2_fail(__FILE__, __LINE__, "accept", sock_code_name(sc));
    WAIT(p);
  }
  pollable_drop(p);
  return a;
}

static void write_all(out_own_t out, const void *p, size_t len) {
  CHECK(len <= 4096);
  command_list_u8_t list = {(uint8_t *)p, len};
  ST_OK(wasi_io_streams_method_output_stream_blocking_write_and_flush(
      wasi_io_streams_borrow_output_stream(out), &list, &serr));
}

// Reads exactly len bytes, waiting on the stream between reads.
static void read_exact(in_own_t in, uint8_t *buf, size_t len) {
  istream_t b = wasi_io_streams_borrow_input_stream(in);
  pollable_t p = wasi_io_streams_method_input_stream_subscribe(b);
  size_t got = 0;
  for (int i = 0; got < len; i++) {
    CHECK(i < RETRIES);
    WAIT(p);
    command_list_u8_t data;
    ST_OK(wasi_io_streams_method_input_stream_read(b, len - got, &data, &serr));
    CHECK(data.len <= len - got);
    if (data.len > 0) memcpy(buf + got, data.ptr, data.len);
    got += data.len;
    command_list_u8_free(&data);
  }
  pollable_drop(p);
}

// The stream ends with nothing more to read: `closed`.
static void expect_end(in_own_t in) {
  istream_t b = wasi_io_streams_borrow_input_stream(in);
  pollable_t p = wasi_io_streams_method_input_stream_subscribe(b);
  for (int i = 0;; i++) {
    CHECK(i < RETRIES);
    WAIT(p);
    command_list_u8_t data;
    if (!wasi_io_streams_method_input_stream_read(b, 16, &data, &serr)) {
      if (serr.tag != WASI_IO_STREAMS_STREAM_ERROR_CLOSED) {
        stream_error_drop(&serr);
        p2_fail(__FILE__, __LINE__, "read", "last-operation-failed, want closed");
      }
      break;
    }
    CHECK(data.len == 0);
    command_list_u8_free(&data);
  }
  pollable_drop(p);
}

// --- client -----------------------------------------------------------------

static void client(uint8_t family, uint16_t port) {
  sockaddr_t peer = loopback(family, port), a;
  tcp_own_t s = tcp_new(family);
  CHECK(TCP(address_family)(B(s)) == family);
  CHECK(!TCP(is_listening)(B(s)));
  SK_ERR(TCP(local_address)(B(s), &a, &sc), E_INVALID_STATE);
  SK_ERR(TCP(remote_address)(B(s), &a, &sc), E_INVALID_STATE);
  ok_in("client-fresh", family);

  in_own_t in;
  out_own_t out;
  connect(s, peer, &in, &out);
  ok_in("client-connect", family);

  SK_OK(TCP(remote_address)(B(s), &a, &sc));
  CHECK(same_addr(&a, &peer));
  sockaddr_t local;
  SK_OK(TCP(local_address)(B(s), &local, &sc));
  CHECK(same_ip(&local, &peer));
  CHECK(port_of(&local) != 0 && port_of(&local) != port);
  CHECK(!TCP(is_listening)(B(s)));
  CHECK(TCP(address_family)(B(s)) == family);
  ok_in("client-addresses", family);

  // The local port goes to the peer, which checks it against what it saw.
  char msg[32] = "guest port=";
  size_t len = strlen(msg);
  len += fmt_u64(msg + len, port_of(&local));
  write_all(out, msg, len);
  uint8_t back[32];
  read_exact(in, back, len);
  for (size_t i = 0; i < len; i++) CHECK(back[i] == (uint8_t)msg[len - 1 - i]);
  ok_in("client-exchange", family);

  expect_end(in);
  ok_in("client-peer-closed", family);
  streams_drop(in, out);
  tcp_drop(s);
}

// --- server -----------------------------------------------------------------

static void server(uint16_t port) {
  sockaddr_t at = loopback4(port), a;
  tcp_own_t l = tcp_new(V4);
  // Set before listening, to be inherited by what is accepted (the WIT's
  // list), and a backlog kept for start-listen.
  SK_OK(TCP(set_listen_backlog_size)(B(l), 4, &sc));
  SK_OK(TCP(set_keep_alive_enabled)(B(l), true, &sc));
  SK_OK(TCP(set_keep_alive_idle_time)(B(l), 30 * SEC, &sc));
  SK_OK(TCP(set_keep_alive_interval)(B(l), 3 * SEC, &sc));
  SK_OK(TCP(set_keep_alive_count)(B(l), 7, &sc));
  SK_OK(TCP(set_hop_limit)(B(l), 42, &sc));
  SK_OK(TCP(start_bind)(B(l), net(), &at, &sc));
  SK_OK(TCP(finish_bind)(B(l), &sc));
  SK_OK(TCP(local_address)(B(l), &a, &sc));
  CHECK(same_addr(&a, &at));
  SK_OK(TCP(start_listen)(B(l), &sc));
  SK_OK(TCP(finish_listen)(B(l), &sc));
  CHECK(TCP(is_listening)(B(l)));
  SK_OK(TCP(set_listen_backlog_size)(B(l), 16, &sc));
  OK("server-listen");

  accepted_t acc = accept_one(l);
  tcp_own_t c = acc.f0;
  CHECK(!TCP(is_listening)(B(c)));
  CHECK(TCP(address_family)(B(c)) == V4);
  sockaddr_t remote;
  SK_OK(TCP(remote_address)(B(c), &remote, &sc));
  CHECK(same_ip(&remote, &at) && port_of(&remote) != 0 && port_of(&remote) != port);
  SK_OK(TCP(local_address)(B(c), &a, &sc));
  CHECK(same_addr(&a, &at));
  OK("server-accept");

  bool on;
  uint64_t d;
  uint32_t count;
  uint8_t hops;
  SK_OK(TCP(keep_alive_enabled)(B(c), &on, &sc));
  CHECK(on);
  SK_OK(TCP(keep_alive_idle_time)(B(c), &d, &sc));
  CHECK(d == 30 * SEC);
  SK_OK(TCP(keep_alive_interval)(B(c), &d, &sc));
  CHECK(d == 3 * SEC);
  SK_OK(TCP(keep_alive_count)(B(c), &count, &sc));
  CHECK(count == 7);
  SK_OK(TCP(hop_limit)(B(c), &hops, &sc));
  CHECK(hops == 42);
  OK("server-accepted-inherits");

  uint8_t hello[11];
  read_exact(acc.f1, hello, sizeof hello);
  CHECK(memcmp(hello, "hello guest", sizeof hello) == 0);
  char msg[32] = "peer port=";
  size_t len = strlen(msg);
  len += fmt_u64(msg + len, port_of(&remote));
  write_all(acc.f2, msg, len);
  OK("server-exchange");

  expect_end(acc.f1);
  OK("server-peer-closed");
  SK_ERR(TCP(accept)(B(l), &acc, &sc), E_WOULD_BLOCK);
  CHECK(TCP(is_listening)(B(l)));
  OK("server-still-listening");
  streams_drop(acc.f1, acc.f2);
  tcp_drop(c);
  tcp_drop(l);
}

// --- options ----------------------------------------------------------------

typedef bool (*get_u64_t)(tcp_t, uint64_t *, sock_code_t *);
typedef bool (*set_u64_t)(tcp_t, uint64_t, sock_code_t *);

// A keep-alive time: whole seconds kept, a fraction rounded up, 0 refused
// with the value left as it was, the largest value clamped.
static void keep_alive_time(tcp_own_t s, uint8_t family, const char *name, get_u64_t get,
                            set_u64_t set) {
  uint64_t d;
  SK_OK(set(B(s), SEC, &sc));
  SK_OK(get(B(s), &d, &sc));
  CHECK(d == SEC);
  SK_OK(set(B(s), SEC + SEC / 2, &sc));
  SK_OK(get(B(s), &d, &sc));
  CHECK(d >= SEC + SEC / 2);
  char what[64] = "";
  strcat(what, name);
  strcat(what, "-rounded");
  got_in(what, family, d);
  uint64_t before = d;
  SK_ERR(set(B(s), 0, &sc), E_INVALID_ARGUMENT);
  SK_OK(get(B(s), &d, &sc));
  CHECK(d == before);
  SK_OK(set(B(s), UINT64_MAX, &sc));
  SK_OK(get(B(s), &d, &sc));
  CHECK(d >= SEC);
  strcpy(what, name);
  strcat(what, "-max");
  got_in(what, family, d);
  ok_in(name, family);
}

// A buffer size: taken at least as asked (Linux reports double), 0 refused
// with the size left as it was, the largest value clamped.
static void buffer_size(tcp_own_t s, uint8_t family, const char *name, get_u64_t get,
                        set_u64_t set) {
  uint64_t v;
  SK_OK(set(B(s), 8192, &sc));
  SK_OK(get(B(s), &v, &sc));
  CHECK(v >= 8192);
  got_in(name, family, v);
  uint64_t before = v;
  SK_ERR(set(B(s), 0, &sc), E_INVALID_ARGUMENT);
  SK_OK(get(B(s), &v, &sc));
  CHECK(v == before);
  SK_OK(set(B(s), UINT64_MAX, &sc));
  SK_OK(get(B(s), &v, &sc));
  CHECK(v > 0);
  ok_in(name, family);
}

static void options(uint8_t family) {
  tcp_own_t s = tcp_new(family);
  bool on;
  SK_OK(TCP(set_keep_alive_enabled)(B(s), true, &sc));
  SK_OK(TCP(keep_alive_enabled)(B(s), &on, &sc));
  CHECK(on);
  SK_OK(TCP(set_keep_alive_enabled)(B(s), false, &sc));
  SK_OK(TCP(keep_alive_enabled)(B(s), &on, &sc));
  CHECK(!on);
  ok_in("keep-alive-enabled", family);

  keep_alive_time(s, family, "keep-alive-idle-time", TCP(keep_alive_idle_time),
                  TCP(set_keep_alive_idle_time));
  keep_alive_time(s, family, "keep-alive-interval", TCP(keep_alive_interval),
                  TCP(set_keep_alive_interval));

  uint32_t count;
  SK_OK(TCP(set_keep_alive_count)(B(s), 5, &sc));
  SK_OK(TCP(keep_alive_count)(B(s), &count, &sc));
  CHECK(count == 5);
  SK_ERR(TCP(set_keep_alive_count)(B(s), 0, &sc), E_INVALID_ARGUMENT);
  SK_OK(TCP(keep_alive_count)(B(s), &count, &sc));
  CHECK(count == 5);
  SK_OK(TCP(set_keep_alive_count)(B(s), UINT32_MAX, &sc));
  SK_OK(TCP(keep_alive_count)(B(s), &count, &sc));
  CHECK(count >= 5);
  got_in("keep-alive-count-max", family, count);
  ok_in("keep-alive-count", family);

  uint8_t hops;
  SK_OK(TCP(hop_limit)(B(s), &hops, &sc));
  CHECK(hops > 0);
  SK_OK(TCP(set_hop_limit)(B(s), 1, &sc));
  SK_OK(TCP(hop_limit)(B(s), &hops, &sc));
  CHECK(hops == 1);
  SK_OK(TCP(set_hop_limit)(B(s), 255, &sc));
  SK_OK(TCP(hop_limit)(B(s), &hops, &sc));
  CHECK(hops == 255);
  SK_ERR(TCP(set_hop_limit)(B(s), 0, &sc), E_INVALID_ARGUMENT);
  SK_OK(TCP(hop_limit)(B(s), &hops, &sc));
  CHECK(hops == 255);
  ok_in("hop-limit", family);

  buffer_size(s, family, "receive-buffer-size", TCP(receive_buffer_size),
              TCP(set_receive_buffer_size));
  buffer_size(s, family, "send-buffer-size", TCP(send_buffer_size), TCP(set_send_buffer_size));

  SK_ERR(TCP(set_listen_backlog_size)(B(s), 0, &sc), E_INVALID_ARGUMENT);
  SK_OK(TCP(set_listen_backlog_size)(B(s), 1, &sc));
  SK_OK(TCP(set_listen_backlog_size)(B(s), UINT64_MAX, &sc));
  ok_in("listen-backlog-size", family);
  tcp_drop(s);
}

// --- states -----------------------------------------------------------------

static void states(uint16_t open_port, uint16_t closed_port) {
  sockaddr_t any4 = loopback4(0), open = loopback4(open_port), a, bound;
  streams_t io;
  accepted_t acc;

  tcp_own_t s = tcp_new(V4);
  // One pollable for the socket's whole life, as the WIT allows.
  pollable_t p = TCP(subscribe)(B(s));
  CHECK(ready(p));
  SK_ERR(TCP(finish_bind)(B(s), &sc), E_NOT_IN_PROGRESS);
  SK_ERR(TCP(finish_listen)(B(s), &sc), E_NOT_IN_PROGRESS);
  SK_ERR(TCP(finish_connect)(B(s), &io, &sc), E_NOT_IN_PROGRESS);
  SK_ERR(TCP(start_listen)(B(s), &sc), E_INVALID_STATE);
  SK_ERR(TCP(accept)(B(s), &acc, &sc), E_INVALID_STATE);
  SK_ERR(TCP(shutdown)(B(s), SHUT_BOTH, &sc), E_INVALID_STATE);
  SK_ERR(TCP(local_address)(B(s), &a, &sc), E_INVALID_STATE);
  SK_ERR(TCP(remote_address)(B(s), &a, &sc), E_INVALID_STATE);
  CHECK(!TCP(is_listening)(B(s)));
  OK("unbound");

  sockaddr_t six = loopback6(0);
  SK_ERR(TCP(start_bind)(B(s), net(), &six, &sc), E_INVALID_ARGUMENT);
  SK_ERR(TCP(finish_bind)(B(s), &sc), E_NOT_IN_PROGRESS);
  tcp_own_t s6 = tcp_new(V6);
  SK_ERR(TCP(start_bind)(B(s6), net(), &any4, &sc), E_INVALID_ARGUMENT);
  tcp_drop(s6);
  OK("bind-wrong-family");

  SK_OK(TCP(start_bind)(B(s), net(), &any4, &sc));
  SK_ERR(TCP(start_bind)(B(s), net(), &any4, &sc), E_CONCURRENCY_CONFLICT);
  SK_ERR(TCP(start_connect)(B(s), net(), &open, &sc), E_CONCURRENCY_CONFLICT);
  SK_ERR(TCP(start_listen)(B(s), &sc), E_CONCURRENCY_CONFLICT);
  SK_ERR(TCP(finish_listen)(B(s), &sc), E_NOT_IN_PROGRESS);
  SK_ERR(TCP(finish_connect)(B(s), &io, &sc), E_NOT_IN_PROGRESS);
  SK_ERR(TCP(accept)(B(s), &acc, &sc), E_INVALID_STATE);
  SK_ERR(TCP(local_address)(B(s), &a, &sc), E_INVALID_STATE);
  CHECK(ready(p));
  OK("bind-in-progress");

  SK_OK(TCP(finish_bind)(B(s), &sc));
  SK_ERR(TCP(finish_bind)(B(s), &sc), E_NOT_IN_PROGRESS);
  SK_ERR(TCP(start_bind)(B(s), net(), &any4, &sc), E_INVALID_STATE);
  SK_OK(TCP(local_address)(B(s), &bound, &sc));
  CHECK(same_ip(&bound, &any4) && port_of(&bound) != 0);
  SK_ERR(TCP(remote_address)(B(s), &a, &sc), E_INVALID_STATE);
  SK_ERR(TCP(accept)(B(s), &acc, &sc), E_INVALID_STATE);
  SK_ERR(TCP(shutdown)(B(s), SHUT_BOTH, &sc), E_INVALID_STATE);
  CHECK(!TCP(is_listening)(B(s)));
  OK("bound");

  SK_OK(TCP(start_listen)(B(s), &sc));
  SK_ERR(TCP(start_listen)(B(s), &sc), E_CONCURRENCY_CONFLICT);
  SK_ERR(TCP(start_connect)(B(s), net(), &open, &sc), E_CONCURRENCY_CONFLICT);
  SK_ERR(TCP(start_bind)(B(s), net(), &any4, &sc), E_CONCURRENCY_CONFLICT);
  SK_ERR(TCP(finish_bind)(B(s), &sc), E_NOT_IN_PROGRESS);
  SK_ERR(TCP(finish_connect)(B(s), &io, &sc), E_NOT_IN_PROGRESS);
  SK_ERR(TCP(accept)(B(s), &acc, &sc), E_INVALID_STATE);
  CHECK(!TCP(is_listening)(B(s)));
  SK_OK(TCP(set_listen_backlog_size)(B(s), 8, &sc));
  SK_OK(TCP(local_address)(B(s), &a, &sc));
  CHECK(same_addr(&a, &bound));
  OK("listen-in-progress");

  SK_OK(TCP(finish_listen)(B(s), &sc));
  SK_ERR(TCP(finish_listen)(B(s), &sc), E_NOT_IN_PROGRESS);
  CHECK(TCP(is_listening)(B(s)));
  SK_ERR(TCP(start_listen)(B(s), &sc), E_INVALID_STATE);
  SK_ERR(TCP(start_bind)(B(s), net(), &any4, &sc), E_INVALID_STATE);
  SK_ERR(TCP(start_connect)(B(s), net(), &open, &sc), E_INVALID_STATE);
  SK_ERR(TCP(accept)(B(s), &acc, &sc), E_WOULD_BLOCK);
  SK_ERR(TCP(shutdown)(B(s), SHUT_BOTH, &sc), E_INVALID_STATE);
  SK_ERR(TCP(remote_address)(B(s), &a, &sc), E_INVALID_STATE);
  SK_OK(TCP(set_listen_backlog_size)(B(s), 64, &sc));
  // Nobody may connect to this listener, so nothing is pending.
  CHECK(!ready(p));
  OK("listening");
  pollable_drop(p);
  tcp_drop(s);

  // A client bound first, then connected: the bound address is kept.
  tcp_own_t c = tcp_new(V4);
  p = TCP(subscribe)(B(c));
  SK_OK(TCP(start_bind)(B(c), net(), &any4, &sc));
  SK_OK(TCP(finish_bind)(B(c), &sc));
  SK_OK(TCP(local_address)(B(c), &bound, &sc));
  SK_OK(TCP(start_connect)(B(c), net(), &open, &sc));
  SK_ERR(TCP(start_connect)(B(c), net(), &open, &sc), E_CONCURRENCY_CONFLICT);
  SK_ERR(TCP(start_bind)(B(c), net(), &any4, &sc), E_CONCURRENCY_CONFLICT);
  SK_ERR(TCP(start_listen)(B(c), &sc), E_CONCURRENCY_CONFLICT);
  SK_ERR(TCP(finish_bind)(B(c), &sc), E_NOT_IN_PROGRESS);
  SK_ERR(TCP(finish_listen)(B(c), &sc), E_NOT_IN_PROGRESS);
  SK_ERR(TCP(accept)(B(c), &acc, &sc), E_INVALID_STATE);
  SK_ERR(TCP(set_listen_backlog_size)(B(c), 8, &sc), E_INVALID_STATE);
  SK_ERR(TCP(shutdown)(B(c), SHUT_BOTH, &sc), E_INVALID_STATE);
  SK_OK(TCP(local_address)(B(c), &a, &sc));
  CHECK(same_addr(&a, &bound));
  OK("connect-in-progress");

  in_own_t in;
  out_own_t out;
  finish_connect(c, &in, &out);
  SK_ERR(TCP(finish_connect)(B(c), &io, &sc), E_NOT_IN_PROGRESS);
  SK_ERR(TCP(start_connect)(B(c), net(), &open, &sc), E_INVALID_STATE);
  SK_ERR(TCP(start_bind)(B(c), net(), &any4, &sc), E_INVALID_STATE);
  SK_ERR(TCP(start_listen)(B(c), &sc), E_INVALID_STATE);
  SK_ERR(TCP(accept)(B(c), &acc, &sc), E_INVALID_STATE);
  SK_ERR(TCP(set_listen_backlog_size)(B(c), 8, &sc), E_INVALID_STATE);
  CHECK(!TCP(is_listening)(B(c)));
  SK_OK(TCP(local_address)(B(c), &a, &sc));
  CHECK(same_addr(&a, &bound));
  SK_OK(TCP(remote_address)(B(c), &a, &sc));
  CHECK(same_addr(&a, &open));
  CHECK(ready(p));
  OK("connected");
  // Shutting a direction down again is no error.
  SK_OK(TCP(shutdown)(B(c), SHUT_SEND, &sc));
  SK_OK(TCP(shutdown)(B(c), SHUT_SEND, &sc));
  SK_OK(TCP(shutdown)(B(c), SHUT_BOTH, &sc));
  SK_OK(TCP(shutdown)(B(c), SHUT_BOTH, &sc));
  OK("shutdown-idempotent");
  streams_drop(in, out);
  pollable_drop(p);
  tcp_drop(c);

  // A refused connect leaves the socket closed: only dropping is left.
  tcp_own_t f = tcp_new(V4);
  p = TCP(subscribe)(B(f));
  sockaddr_t closed = loopback4(closed_port);
  if (TCP(start_connect)(B(f), net(), &closed, &sc)) {
    for (int i = 0;; i++) {
      CHECK(i < RETRIES);
      if (TCP(finish_connect)(B(f), &io, &sc))
        p2_fail(__FILE__, __LINE__, "finish-connect", "connected to a closed port");
      if (sc != E_WOULD_BLOCK) break;
      WAIT(p);
    }
  }
  if (sc != E_CONNECTION_REFUSED) p2_fail(__FILE__, __LINE__, "connect", sock_code_name(sc));
  OK("connect-refused");
  SK_ERR(TCP(start_connect)(B(f), net(), &open, &sc), E_INVALID_STATE);
  SK_ERR(TCP(start_bind)(B(f), net(), &any4, &sc), E_INVALID_STATE);
  SK_ERR(TCP(start_listen)(B(f), &sc), E_INVALID_STATE);
  SK_ERR(TCP(accept)(B(f), &acc, &sc), E_INVALID_STATE);
  SK_ERR(TCP(local_address)(B(f), &a, &sc), E_INVALID_STATE);
  SK_ERR(TCP(remote_address)(B(f), &a, &sc), E_INVALID_STATE);
  SK_ERR(TCP(shutdown)(B(f), SHUT_BOTH, &sc), E_INVALID_STATE);
  SK_ERR(TCP(set_listen_backlog_size)(B(f), 8, &sc), E_INVALID_STATE);
  CHECK(!TCP(is_listening)(B(f)));
  CHECK(TCP(address_family)(B(f)) == V4);
  // Options still answer on a closed socket.
  uint8_t hops;
  SK_OK(TCP(hop_limit)(B(f), &hops, &sc));
  // The WIT allows invalid-state for anything on a closed socket, and
  // not-in-progress for a finish without its start; which one is recorded.
  if (TCP(finish_connect)(B(f), &io, &sc))
    p2_fail(__FILE__, __LINE__, "finish-connect", "succeeded on a closed socket");
  got_sock_code("finish-connect-closed", sc);
  OK("closed");
  pollable_drop(p);
  tcp_drop(f);
}

// --- the policy -------------------------------------------------------------

static void nothing(void) {
  tcp_own_t s;
  SK_ERR(wasi_sockets_tcp_create_socket_create_tcp_socket(V4, &s, &sc), E_ACCESS_DENIED);
  SK_ERR(wasi_sockets_tcp_create_socket_create_tcp_socket(V6, &s, &sc), E_ACCESS_DENIED);
  // The network itself is there, granting nothing.
  net();
  wasi_sockets_network_network_drop_own(net_handle);
  net_open = false;
  OK("create-denied");
}

static void denied(uint16_t port4, uint16_t port6) {
  sockaddr_t to = loopback4(port4), any4 = loopback4(0), a;
  tcp_own_t s = tcp_new(V4);
  SK_ERR(TCP(start_connect)(B(s), net(), &to, &sc), E_ACCESS_DENIED);
  // A refused connect is a failed connect: the socket is closed.
  SK_ERR(TCP(start_connect)(B(s), net(), &to, &sc), E_INVALID_STATE);
  SK_ERR(TCP(start_bind)(B(s), net(), &any4, &sc), E_INVALID_STATE);
  tcp_drop(s);
  OK("connect-denied");

  s = tcp_new(V4);
  SK_OK(TCP(start_bind)(B(s), net(), &any4, &sc));
  SK_OK(TCP(finish_bind)(B(s), &sc));
  SK_ERR(TCP(start_connect)(B(s), net(), &to, &sc), E_ACCESS_DENIED);
  tcp_drop(s);
  OK("connect-denied-bound");

  s = tcp_new(V4);
  sockaddr_t unspecified = v4(0, 0, 0, 0, 0);
  SK_ERR(TCP(start_bind)(B(s), net(), &to, &sc), E_ACCESS_DENIED);
  SK_ERR(TCP(start_bind)(B(s), net(), &unspecified, &sc), E_ACCESS_DENIED);
  // A refused bind leaves the socket unbound, for another try.
  SK_ERR(TCP(finish_bind)(B(s), &sc), E_NOT_IN_PROGRESS);
  SK_ERR(TCP(local_address)(B(s), &a, &sc), E_INVALID_STATE);
  SK_OK(TCP(start_bind)(B(s), net(), &any4, &sc));
  SK_OK(TCP(finish_bind)(B(s), &sc));
  OK("bind-denied");

  SK_ERR(TCP(start_listen)(B(s), &sc), E_ACCESS_DENIED);
  // A failed listen leaves the socket closed.
  SK_ERR(TCP(start_listen)(B(s), &sc), E_INVALID_STATE);
  SK_ERR(TCP(local_address)(B(s), &a, &sc), E_INVALID_STATE);
  CHECK(!TCP(is_listening)(B(s)));
  tcp_drop(s);
  OK("listen-denied");

  tcp_own_t s6 = tcp_new(V6);
  sockaddr_t any6 = loopback6(0), to6 = loopback6(port6);
  SK_ERR(TCP(start_bind)(B(s6), net(), &any6, &sc), E_ACCESS_DENIED);
  SK_ERR(TCP(start_connect)(B(s6), net(), &to6, &sc), E_ACCESS_DENIED);
  tcp_drop(s6);
  OK("ipv6-denied");
}

static void accept_denied(uint16_t port) {
  sockaddr_t at = loopback4(port);
  accepted_t acc;
  tcp_own_t l = tcp_new(V4);
  SK_OK(TCP(start_bind)(B(l), net(), &at, &sc));
  SK_OK(TCP(finish_bind)(B(l), &sc));
  SK_OK(TCP(start_listen)(B(l), &sc));
  SK_OK(TCP(finish_listen)(B(l), &sc));
  OK("listen");
  pollable_t p = TCP(subscribe)(B(l));
  WAIT(p);  // the peer's connection is pending
  SK_ERR(TCP(accept)(B(l), &acc, &sc), E_WOULD_BLOCK);
  // The refused connection is gone from the queue, not left for later.
  CHECK(!ready(p));
  SK_ERR(TCP(accept)(B(l), &acc, &sc), E_WOULD_BLOCK);
  CHECK(TCP(is_listening)(B(l)));
  OK("accept-refused-peer");
  pollable_drop(p);
  tcp_drop(l);
}

static void range(uint16_t base) {
  static const char *const names[4] = {"range-below", "range-low-edge", "range-high-edge",
                                       "range-above"};
  for (uint16_t i = 0; i < 4; i++) {
    tcp_own_t s = tcp_new(V4);
    sockaddr_t to = loopback4((uint16_t)(base + i));
    if (i == 1 || i == 2) {
      in_own_t in;
      out_own_t out;
      connect(s, to, &in, &out);
      streams_drop(in, out);
    } else {
      SK_ERR(TCP(start_connect)(B(s), net(), &to, &sc), E_ACCESS_DENIED);
    }
    tcp_drop(s);
    OK(names[i]);
  }
}

// --- bad input --------------------------------------------------------------

static void bad(uint16_t taken_port) {
  tcp_own_t s = tcp_new(V4);
  sockaddr_t to = v4(0, 0, 0, 0, 80);
  SK_ERR(TCP(start_connect)(B(s), net(), &to, &sc), E_INVALID_ARGUMENT);
  OK("connect-unspecified");
  to = loopback4(0);
  SK_ERR(TCP(start_connect)(B(s), net(), &to, &sc), E_INVALID_ARGUMENT);
  OK("connect-port-zero");
  to = v4(224, 0, 0, 1, 80);
  SK_ERR(TCP(start_connect)(B(s), net(), &to, &sc), E_INVALID_ARGUMENT);
  to = v4(239, 255, 255, 250, 1900);
  SK_ERR(TCP(start_connect)(B(s), net(), &to, &sc), E_INVALID_ARGUMENT);
  OK("connect-multicast");
  to = v4(255, 255, 255, 255, 80);
  SK_ERR(TCP(start_connect)(B(s), net(), &to, &sc), E_INVALID_ARGUMENT);
  OK("connect-broadcast");
  to = loopback6(80);
  SK_ERR(TCP(start_connect)(B(s), net(), &to, &sc), E_INVALID_ARGUMENT);
  OK("connect-wrong-family");

  tcp_own_t s6 = tcp_new(V6);
  sockaddr_t bad6[] = {
      v6(0, 0xffff, 0x7f00, 0x0001, 80),  // ::ffff:127.0.0.1, IPv4-mapped
      v6(0, 0, 0, 0, 80),                 // ::
      loopback6(0),
      v6(0xff02, 0, 0, 1, 80),            // ff02::1, multicast
      loopback4(80),
  };
  for (size_t i = 0; i < sizeof bad6 / sizeof bad6[0]; i++)
    SK_ERR(TCP(start_connect)(B(s6), net(), &bad6[i], &sc), E_INVALID_ARGUMENT);
  OK("connect-ipv6");

  // An invalid argument is refused before anything is tried: the sockets
  // are as they were, unbound.
  sockaddr_t any4 = loopback4(0), any6 = loopback6(0);
  SK_OK(TCP(start_bind)(B(s), net(), &any4, &sc));
  SK_OK(TCP(finish_bind)(B(s), &sc));
  SK_OK(TCP(start_bind)(B(s6), net(), &any6, &sc));
  SK_OK(TCP(finish_bind)(B(s6), &sc));
  OK("still-usable");
  tcp_drop(s);
  tcp_drop(s6);

  s = tcp_new(V4);
  sockaddr_t bad4[] = {v4(224, 0, 0, 1, 0), v4(255, 255, 255, 255, 0), loopback6(0)};
  for (size_t i = 0; i < sizeof bad4 / sizeof bad4[0]; i++)
    SK_ERR(TCP(start_bind)(B(s), net(), &bad4[i], &sc), E_INVALID_ARGUMENT);
  s6 = tcp_new(V6);
  sockaddr_t bad6b[] = {v6(0, 0xffff, 0x7f00, 0x0001, 0), v6(0xff02, 0, 0, 1, 0), loopback4(0)};
  for (size_t i = 0; i < sizeof bad6b / sizeof bad6b[0]; i++)
    SK_ERR(TCP(start_bind)(B(s6), net(), &bad6b[i], &sc), E_INVALID_ARGUMENT);
  SK_ERR(TCP(finish_bind)(B(s), &sc), E_NOT_IN_PROGRESS);
  SK_ERR(TCP(finish_bind)(B(s6), &sc), E_NOT_IN_PROGRESS);
  OK("bind-invalid");
  tcp_drop(s);
  tcp_drop(s6);

  // Granted, but taken or not the host's: a failed bind leaves the socket
  // unbound, for another try.
  s = tcp_new(V4);
  sockaddr_t taken = loopback4(taken_port), foreign = v4(192, 0, 2, 1, 0);
  SK_ERR(TCP(start_bind)(B(s), net(), &taken, &sc), E_ADDRESS_IN_USE);
  SK_ERR(TCP(start_bind)(B(s), net(), &foreign, &sc), E_ADDRESS_NOT_BINDABLE);
  SK_ERR(TCP(finish_bind)(B(s), &sc), E_NOT_IN_PROGRESS);
  SK_OK(TCP(start_bind)(B(s), net(), &any4, &sc));
  SK_OK(TCP(finish_bind)(B(s), &sc));
  OK("bind-unavailable");
  tcp_drop(s);

  tcp_own_t l = tcp_new(V4);
  SK_ERR(TCP(set_listen_backlog_size)(B(l), 0, &sc), E_INVALID_ARGUMENT);
  SK_OK(TCP(set_listen_backlog_size)(B(l), UINT64_MAX, &sc));
  SK_OK(TCP(start_bind)(B(l), net(), &any4, &sc));
  SK_OK(TCP(finish_bind)(B(l), &sc));
  SK_OK(TCP(start_listen)(B(l), &sc));
  SK_OK(TCP(finish_listen)(B(l), &sc));
  CHECK(TCP(is_listening)(B(l)));
  SK_OK(TCP(set_listen_backlog_size)(B(l), UINT32_MAX, &sc));
  SK_OK(TCP(set_listen_backlog_size)(B(l), UINT64_MAX, &sc));
  SK_ERR(TCP(set_listen_backlog_size)(B(l), 0, &sc), E_INVALID_ARGUMENT);
  CHECK(TCP(is_listening)(B(l)));
  OK("backlog-huge");
  tcp_drop(l);
}

#define MANY 10000
static tcp_own_t many_sockets[MANY];

static void many(void) {
  // Output needs a stream from the table, which will be full: get it first.
  p2_stdout();
  size_t n = 0;
  for (; n < MANY; n++) {
    if (!wasi_sockets_tcp_create_socket_create_tcp_socket(V4, &many_sockets[n], &sc)) {
      if (sc != E_NEW_SOCKET_LIMIT) p2_fail(__FILE__, __LINE__, "create", sock_code_name(sc));
      break;
    }
  }
  out_str("got sockets ");
  out_u64(n);
  out_str("\n");
  if (n < MANY) {
    // At the limit it stays at the limit, for either family.
    tcp_own_t s;
    for (int i = 0; i < 10; i++) {
      SK_ERR(wasi_sockets_tcp_create_socket_create_tcp_socket(V4, &s, &sc), E_NEW_SOCKET_LIMIT);
      SK_ERR(wasi_sockets_tcp_create_socket_create_tcp_socket(V6, &s, &sc), E_NEW_SOCKET_LIMIT);
    }
  }
  OK("limit");
  for (size_t i = 0; i < n; i++) tcp_drop(many_sockets[i]);
  tcp_drop(tcp_new(V4));
  tcp_drop(tcp_new(V6));
  OK("after-drop");
}

static void accept_limit(uint16_t port) {
  // Output needs a stream from the table, which will be full: get it first.
  p2_stdout();
  sockaddr_t at = loopback4(port);
  tcp_own_t l = tcp_new(V4);
  SK_OK(TCP(start_bind)(B(l), net(), &at, &sc));
  SK_OK(TCP(finish_bind)(B(l), &sc));
  SK_OK(TCP(start_listen)(B(l), &sc));
  SK_OK(TCP(finish_listen)(B(l), &sc));
  pollable_t p = TCP(subscribe)(B(l));
  size_t n = 0;
  for (; n < MANY; n++) {
    if (!wasi_sockets_tcp_create_socket_create_tcp_socket(V4, &many_sockets[n], &sc)) {
      if (sc != E_NEW_SOCKET_LIMIT) p2_fail(__FILE__, __LINE__, "create", sock_code_name(sc));
      break;
    }
  }
  CHECK(n >= 3 && n < MANY);
  // Two free places: one for the clock of a wait, and too few for an
  // accepted socket and its two streams.
  tcp_drop(many_sockets[--n]);
  tcp_drop(many_sockets[--n]);
  OK("table-full");
  WAIT(p);
  accepted_t acc;
  SK_ERR(TCP(accept)(B(l), &acc, &sc), E_NEW_SOCKET_LIMIT);
  // The connection was left in the queue.
  CHECK(ready(p));
  OK("accept-at-limit");
  tcp_drop(many_sockets[--n]);
  SK_OK(TCP(accept)(B(l), &acc, &sc));
  while (n > 0) tcp_drop(many_sockets[--n]);
  uint8_t queued[6];
  read_exact(acc.f1, queued, sizeof queued);
  CHECK(memcmp(queued, "queued", sizeof queued) == 0);
  OK("accept-after-room");
  streams_drop(acc.f1, acc.f2);
  tcp_drop(acc.f0);
  pollable_drop(p);
  tcp_drop(l);
}

// --- half-closed connections ------------------------------------------------

static void half_close(uint16_t port) {
  sockaddr_t to = loopback4(port);
  in_own_t in;
  out_own_t out;

  // The guest ends its sending half; the peer reads to its end, answers,
  // and ends its own.
  tcp_own_t s = tcp_new(V4);
  connect(s, to, &in, &out);
  write_all(out, "ping", 4);
  SK_OK(TCP(shutdown)(B(s), SHUT_SEND, &sc));
  SK_OK(TCP(shutdown)(B(s), SHUT_SEND, &sc));
  OK("shutdown-send");
  uint8_t pong[4];
  read_exact(in, pong, sizeof pong);
  CHECK(memcmp(pong, "pong", 4) == 0);
  expect_end(in);
  OK("read-after-shutdown-send");
  // The WIT: after shutdown(send) the output stream is closed, and stays
  // closed.
  command_list_u8_t x = {(uint8_t *)"x", 1};
  ST_CLOSED(wasi_io_streams_method_output_stream_blocking_write_and_flush(
      wasi_io_streams_borrow_output_stream(out), &x, &serr));
  ST_CLOSED(wasi_io_streams_method_output_stream_check_write(
      wasi_io_streams_borrow_output_stream(out), &(uint64_t){0}, &serr));
  OK("write-after-shutdown-send-closed");
  // Both ends have ended the connection; the WIT calls shutdown
  // idempotent, and allows invalid-state once a socket is closed: which
  // one is recorded.
  if (TCP(shutdown)(B(s), SHUT_SEND, &sc))
    out_str("got shutdown-after-both-ends ok\n");
  else
    got_sock_code("shutdown-after-both-ends", sc);
  streams_drop(in, out);
  tcp_drop(s);

  // The peer ends its sending half first; the guest reads the end, and
  // still writes.
  s = tcp_new(V4);
  connect(s, to, &in, &out);
  expect_end(in);
  OK("peer-shutdown-read-closed");
  write_all(out, "still-open", 10);
  OK("write-after-peer-shutdown");
  SK_OK(TCP(shutdown)(B(s), SHUT_RECEIVE, &sc));
  SK_OK(TCP(shutdown)(B(s), SHUT_RECEIVE, &sc));
  SK_OK(TCP(shutdown)(B(s), SHUT_BOTH, &sc));
  OK("shutdown-receive-then-both");
  streams_drop(in, out);
  tcp_drop(s);
}

static uint16_t arg_port(const command_list_string_t *args, size_t i) {
  uint64_t v = arg_u64(args, i);
  if (v > 65535) p2_fail(__FILE__, __LINE__, "not a port", NULL);
  return (uint16_t)v;
}

bool exports_wasi_cli_run_run(void) {
  command_list_string_t args = get_args();
  if (args.len < 2) p2_fail(__FILE__, __LINE__, "usage: p2_tcp MODE [ARGS]", NULL);
  command_string_t *mode = &args.ptr[1];
  if (str_eq(mode, "client")) {
    client(V4, arg_port(&args, 2));
    uint16_t port6 = args.len > 3 ? arg_port(&args, 3) : 0;
    if (port6 != 0) client(V6, port6);
  } else if (str_eq(mode, "server")) {
    server(arg_port(&args, 2));
  } else if (str_eq(mode, "options")) {
    options(V4);
    options(V6);
  } else if (str_eq(mode, "states")) {
    states(arg_port(&args, 2), arg_port(&args, 3));
  } else if (str_eq(mode, "nothing")) {
    nothing();
  } else if (str_eq(mode, "denied")) {
    denied(arg_port(&args, 2), arg_port(&args, 3));
  } else if (str_eq(mode, "accept-denied")) {
    accept_denied(arg_port(&args, 2));
  } else if (str_eq(mode, "range")) {
    range(arg_port(&args, 2));
  } else if (str_eq(mode, "bad")) {
    bad(arg_port(&args, 2));
  } else if (str_eq(mode, "accept-limit")) {
    accept_limit(arg_port(&args, 2));
  } else if (str_eq(mode, "many")) {
    many();
  } else if (str_eq(mode, "half-close")) {
    half_close(arg_port(&args, 2));
  } else {
    p2_fail(__FILE__, __LINE__, "unknown mode", NULL);
  }
  command_list_string_free(&args);
  OK("p2_tcp");
  p2_exit(true);
}
