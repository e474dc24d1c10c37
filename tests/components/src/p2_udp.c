// wasi:sockets/udp and udp-create-socket over loopback, against peers the
// host test runs with std::net::UdpSocket. The first argument is the mode;
// the rest are loopback ports the test bound. Every wait is bounded, by
// time and by a count of tries, so a guest that never hears back fails
// instead of hanging.
//
// Peers that answer ("echo peers") reply to every datagram but "end" with
// "re:" followed by the payload; an echo peer with an intruder first has a
// second host socket send "intruder" to the same source.
//
// Modes:
// - ping 4|6 PORT ROUNDS: unconnected streams to the echo peer on loopback
//   PORT; ROUNDS single datagrams, then three in one send.
// - connected PORT OTHER: streams connected to the echo peer PORT whose
//   intruder is OTHER (granted udp-receive too): the intruder is never seen
//   while connected, and is once the streams are unconnected again.
// - refused PORT: streams connected to PORT, where nothing listens: the
//   host's refusal is the next receive's connection-refused.
// - options: every option of an IPv4 and an IPv6 socket, and local-address.
// - states: the bind and stream state machine, without peers.
// - policy-create: creating a socket of either family is access-denied.
// - policy-bind: binding is access-denied.
// - policy-send PORT: sending to (or streaming with) PORT is access-denied.
// - policy-receive PORT: the echo peer PORT has an intruder not granted:
//   only the reply shows.
// - edges LO HI: sends to LO-1 and HI+1 are access-denied, to LO and HI
//   go out; of the datagrams from LO-1, HI+1, LO, HI only the last two show.
// - bad-input PORT: binds that fail (PORT is taken, 192.0.2.1 is not
//   local), invalid addresses, too large a datagram, partial sends, receive
//   with 0 and 2^64-1 as max-results (PORT collects what is sent).
// - trap-send-without-check, trap-send-over-permit, trap-permit-reused,
//   trap-drop-socket-with-streams: each breaks a rule of the WIT and must
//   trap; a FAIL line follows if it returns.
#include "p2net.h"

// How long a reply from a loopback peer may take before the guest gives up.
#define PATIENCE_MS 10000ull

typedef wasi_sockets_udp_own_udp_socket_t udp_own_t;
typedef wasi_sockets_udp_borrow_udp_socket_t udp_t;
typedef wasi_sockets_udp_own_incoming_datagram_stream_t in_own_t;
typedef wasi_sockets_udp_own_outgoing_datagram_stream_t out_own_t;
typedef wasi_sockets_udp_list_incoming_datagram_t dgrams_t;
typedef wasi_sockets_udp_outgoing_datagram_t odgram_t;

static const uint8_t V4 = WASI_SOCKETS_NETWORK_IP_ADDRESS_FAMILY_IPV4;
static const uint8_t V6 = WASI_SOCKETS_NETWORK_IP_ADDRESS_FAMILY_IPV6;

typedef struct {
  in_own_t in;
  out_own_t out;
} streams_t;

static udp_t B(udp_own_t s) { return wasi_sockets_udp_borrow_udp_socket(s); }
static wasi_sockets_udp_borrow_incoming_datagram_stream_t BI(in_own_t s) {
  return wasi_sockets_udp_borrow_incoming_datagram_stream(s);
}
static wasi_sockets_udp_borrow_outgoing_datagram_stream_t BO(out_own_t s) {
  return wasi_sockets_udp_borrow_outgoing_datagram_stream(s);
}

static bool create(uint8_t family, udp_own_t *s) {
  return wasi_sockets_udp_create_socket_create_udp_socket(family, s, &sc);
}

static udp_own_t created(uint8_t family) {
  udp_own_t s;
  SK_OK(create(family, &s));
  return s;
}

static bool start_bind(udp_own_t s, sockaddr_t addr) {
  return wasi_sockets_udp_method_udp_socket_start_bind(B(s), net(), &addr, &sc);
}

static bool finish_bind(udp_own_t s) {
  return wasi_sockets_udp_method_udp_socket_finish_bind(B(s), &sc);
}

// A socket of `addr`'s family bound to it.
static udp_own_t bound_to(sockaddr_t addr) {
  udp_own_t s = created(addr.tag == WASI_SOCKETS_NETWORK_IP_SOCKET_ADDRESS_IPV4 ? V4 : V6);
  SK_OK(start_bind(s, addr));
  SK_OK(finish_bind(s));
  return s;
}

// `stream`, connected to *remote or (NULL) not.
static bool stream(udp_own_t s, sockaddr_t *remote, streams_t *st) {
  wasi_sockets_udp_tuple2_own_incoming_datagram_stream_own_outgoing_datagram_stream_t pair;
  if (!wasi_sockets_udp_method_udp_socket_stream(B(s), remote, &pair, &sc)) return false;
  st->in = pair.f0;
  st->out = pair.f1;
  return true;
}

static streams_t streams(udp_own_t s, sockaddr_t *remote) {
  streams_t st;
  SK_OK(stream(s, remote, &st));
  return st;
}

static void streams_drop(streams_t st) {
  wasi_sockets_udp_incoming_datagram_stream_drop_own(st.in);
  wasi_sockets_udp_outgoing_datagram_stream_drop_own(st.out);
}

static bool local_address(udp_own_t s, sockaddr_t *addr) {
  return wasi_sockets_udp_method_udp_socket_local_address(B(s), addr, &sc);
}

static bool remote_address(udp_own_t s, sockaddr_t *addr) {
  return wasi_sockets_udp_method_udp_socket_remote_address(B(s), addr, &sc);
}

static bool addr_eq(const sockaddr_t *a, const sockaddr_t *b) {
  if (a->tag != b->tag) return false;
  if (a->tag == WASI_SOCKETS_NETWORK_IP_SOCKET_ADDRESS_IPV4)
    return a->val.ipv4.port == b->val.ipv4.port &&
           memcmp(&a->val.ipv4.address, &b->val.ipv4.address, sizeof a->val.ipv4.address) == 0;
  return a->val.ipv6.port == b->val.ipv6.port &&
         memcmp(&a->val.ipv6.address, &b->val.ipv6.address, sizeof a->val.ipv6.address) == 0;
}

static uint16_t port_arg(const command_list_string_t *args, size_t i) {
  uint64_t v = arg_u64(args, i);
  CHECK(v > 0 && v <= 65535);
  return (uint16_t)v;
}

// `check-send`, waiting (bounded) while it permits nothing.
static bool check_send(out_own_t out, uint64_t *permit) {
  pollable_t p = wasi_sockets_udp_method_outgoing_datagram_stream_subscribe(BO(out));
  bool ok = false;
  for (int tries = 0; tries < 100; tries++) {
    ok = wasi_sockets_udp_method_outgoing_datagram_stream_check_send(BO(out), permit, &sc);
    if (!ok || *permit > 0) break;
    wait_ready(p, 100);
  }
  pollable_drop(p);
  if (ok) CHECK(*permit > 0);
  return ok;
}

// `send` of n datagrams after a check-send that permits them; *sent is the
// count sent.
static bool send_many(out_own_t out, odgram_t *d, size_t n, uint64_t *sent) {
  uint64_t permit;
  if (!check_send(out, &permit)) return false;
  CHECK(permit >= n);
  wasi_sockets_udp_list_outgoing_datagram_t list = {d, n};
  bool ok = wasi_sockets_udp_method_outgoing_datagram_stream_send(BO(out), &list, sent, &sc);
  if (ok) CHECK(*sent <= n);
  return ok;
}

static odgram_t dgram(const char *data, sockaddr_t *to) {
  odgram_t d = {{(uint8_t *)data, strlen(data)}, {.is_some = to != NULL}};
  if (to != NULL) d.remote_address.val = *to;
  return d;
}

// Sends one datagram (to *to, or without a destination for NULL); an error
// is reported through sc, and a send that went out must have sent it.
static bool send1(out_own_t out, const char *data, sockaddr_t *to) {
  odgram_t d = dgram(data, to);
  uint64_t sent;
  if (!send_many(out, &d, 1, &sent)) return false;
  CHECK(sent == 1);
  return true;
}

// Receives until `want` datagrams arrived or the patience ran out, at most
// `want` of them; the caller checks how many came.
static dgrams_t receive_n(in_own_t in, size_t want) {
  dgrams_t all = {malloc(want * sizeof *all.ptr), 0};
  CHECK(all.ptr != NULL);
  pollable_t p = wasi_sockets_udp_method_incoming_datagram_stream_subscribe(BI(in));
  uint64_t deadline = wasi_clocks_monotonic_clock_now() + PATIENCE_MS * MS;
  for (int tries = 0; tries < 1000 && all.len < want; tries++) {
    dgrams_t got;
    SK_OK(wasi_sockets_udp_method_incoming_datagram_stream_receive(BI(in), want - all.len, &got,
                                                                    &sc));
    CHECK(got.len <= want - all.len);
    memcpy(all.ptr + all.len, got.ptr, got.len * sizeof *got.ptr);
    all.len += got.len;
    // The payloads moved to `all`; an empty list's pointer was never
    // allocated.
    if (got.len > 0) free(got.ptr);
    if (all.len == want) break;
    uint64_t now = wasi_clocks_monotonic_clock_now();
    if (now >= deadline) break;
    wait_ready(p, (deadline - now) / MS + 1);
  }
  pollable_drop(p);
  return all;
}

// Whether `got` holds a datagram of `data` from `from`. UDP does not
// promise order, even over loopback, so datagrams sent together are looked
// for in any order.
static bool holds(const dgrams_t *got, const char *data, const sockaddr_t *from) {
  for (size_t i = 0; i < got->len; i++)
    if (bytes_eq(&got->ptr[i].data, data, strlen(data)) &&
        addr_eq(&got->ptr[i].remote_address, from))
      return true;
  return false;
}

// The next datagram, which must come.
static void expect_datagram(in_own_t in, const char *data, const sockaddr_t *from) {
  dgrams_t got = receive_n(in, 1);
  if (got.len != 1) p2_fail(__FILE__, __LINE__, "no datagram came", data);
  if (!bytes_eq(&got.ptr[0].data, data, strlen(data)))
    p2_fail(__FILE__, __LINE__, "another payload came", data);
  CHECK(addr_eq(&got.ptr[0].remote_address, from));
  wasi_sockets_udp_list_incoming_datagram_free(&got);
}

// Nothing is waiting right now.
static void expect_nothing(in_own_t in) {
  dgrams_t got;
  SK_OK(wasi_sockets_udp_method_incoming_datagram_stream_receive(BI(in), 10, &got, &sc));
  CHECK(got.len == 0);
  wasi_sockets_udp_list_incoming_datagram_free(&got);
}

static void expect_family(udp_own_t s, uint8_t family) {
  CHECK(wasi_sockets_udp_method_udp_socket_address_family(B(s)) == family);
}

static sockaddr_t any_port(uint8_t family, uint16_t port) {
  return family == V4 ? loopback4(port) : loopback6(port);
}

// Formats "re:" + payload, as the echo peers answer.
static const char *reply_to(const char *payload) {
  static char buf[64];
  size_t n = strlen(payload);
  CHECK(n + 4 <= sizeof buf);
  memcpy(buf, "re:", 3);
  memcpy(buf + 3, payload, n + 1);
  return buf;
}

static void mode_ping(const command_list_string_t *args) {
  CHECK(args->len == 5);
  uint8_t family = str_eq(&args->ptr[2], "4") ? V4 : V6;
  CHECK(family == V4 || str_eq(&args->ptr[2], "6"));
  uint16_t port = port_arg(args, 3);
  uint64_t rounds = arg_u64(args, 4);
  CHECK(rounds > 0 && rounds <= 100);
  sockaddr_t peer = any_port(family, port);

  udp_own_t s = bound_to(any_port(family, 0));
  expect_family(s, family);
  sockaddr_t local;
  SK_OK(local_address(s, &local));
  CHECK(local.tag == peer.tag && port_of(&local) != 0);
  streams_t st = streams(s, NULL);
  sockaddr_t remote;
  SK_ERR(remote_address(s, &remote), WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_STATE);
  for (uint64_t i = 0; i < rounds; i++) {
    char payload[32] = "ping ";
    size_t at = 5;
    uint64_t v = i;
    char digits[24];
    size_t nd = 0;
    do {
      digits[nd++] = (char)('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (nd > 0) payload[at++] = digits[--nd];
    payload[at] = 0;
    SK_OK(send1(st.out, payload, &peer));
    expect_datagram(st.in, reply_to(payload), &peer);
  }
  OK("ping-pong");

  // Several datagrams in one send, their replies in one receive or more.
  odgram_t d[3] = {dgram("a", &peer), dgram("bb", &peer), dgram("ccc", &peer)};
  uint64_t sent;
  SK_OK(send_many(st.out, d, 3, &sent));
  CHECK(sent == 3);
  dgrams_t got = receive_n(st.in, 3);
  CHECK(got.len == 3);
  CHECK(holds(&got, "re:a", &peer) && holds(&got, "re:bb", &peer) &&
        holds(&got, "re:ccc", &peer));
  wasi_sockets_udp_list_incoming_datagram_free(&got);
  expect_nothing(st.in);
  OK("send-several");

  SK_OK(send1(st.out, "end", &peer));
  streams_drop(st);
  wasi_sockets_udp_udp_socket_drop_own(s);
}

static void mode_connected(const command_list_string_t *args) {
  CHECK(args->len == 4);
  sockaddr_t peer = loopback4(port_arg(args, 2));
  sockaddr_t other = loopback4(port_arg(args, 3));
  udp_own_t s = bound_to(loopback4(0));
  streams_t st = streams(s, &peer);
  sockaddr_t remote;
  SK_OK(remote_address(s, &remote));
  CHECK(addr_eq(&remote, &peer));

  // Without a destination, and with the peer's own: both go to the peer,
  // whose intruder sends first each time and is never seen.
  SK_OK(send1(st.out, "c1", NULL));
  expect_datagram(st.in, "re:c1", &peer);
  SK_OK(send1(st.out, "c2", &peer));
  expect_datagram(st.in, "re:c2", &peer);
  expect_nothing(st.in);
  OK("connected-ping-pong");

  SK_ERR(send1(st.out, "to-other", &other), WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_ARGUMENT);
  sockaddr_t other_port_v4 = loopback4(port_of(&peer) == 65535 ? 1 : port_of(&peer) + 1);
  SK_ERR(send1(st.out, "to-other-port", &other_port_v4),
         WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_ARGUMENT);
  OK("connected-other-destination");

  // Unconnected again: the peer's address is required, and the intruder's
  // datagram now shows beside the reply.
  streams_drop(st);
  st = streams(s, NULL);
  SK_ERR(remote_address(s, &remote), WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_STATE);
  SK_ERR(send1(st.out, "c3", NULL), WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_ARGUMENT);
  SK_OK(send1(st.out, "c4", &peer));
  dgrams_t got = receive_n(st.in, 2);
  CHECK(got.len == 2 && holds(&got, "intruder", &other) && holds(&got, "re:c4", &peer));
  wasi_sockets_udp_list_incoming_datagram_free(&got);
  OK("unconnected-again");

  // Connected again, replacing the streams without dropping the old pair.
  streams_t again = streams(s, &peer);
  SK_OK(send1(again.out, "c5", NULL));
  expect_datagram(again.in, "re:c5", &peer);
  SK_OK(send1(again.out, "end", NULL));
  streams_drop(st);
  streams_drop(again);
  wasi_sockets_udp_udp_socket_drop_own(s);
  OK("reconnected");
}

static void mode_refused(const command_list_string_t *args) {
  CHECK(args->len == 3);
  sockaddr_t closed = loopback4(port_arg(args, 2));
  udp_own_t s = bound_to(loopback4(0));
  streams_t st = streams(s, &closed);
  SK_OK(send1(st.out, "anyone?", NULL));
  // The host's answer (ICMP port unreachable) wakes the incoming stream,
  // and the next receive reports it, once.
  pollable_t p = wasi_sockets_udp_method_incoming_datagram_stream_subscribe(BI(st.in));
  CHECK(wait_ready(p, PATIENCE_MS));
  pollable_drop(p);
  dgrams_t got;
  SK_ERR(wasi_sockets_udp_method_incoming_datagram_stream_receive(BI(st.in), 1, &got, &sc),
         WASI_SOCKETS_NETWORK_ERROR_CODE_CONNECTION_REFUSED);
  expect_nothing(st.in);
  streams_drop(st);
  wasi_sockets_udp_udp_socket_drop_own(s);
  OK("receive-refused");
}

static void options_of(uint8_t family) {
  udp_own_t s = created(family);
  expect_family(s, family);
  udp_t b = B(s);
  uint8_t hops;
  SK_OK(wasi_sockets_udp_method_udp_socket_unicast_hop_limit(b, &hops, &sc));
  CHECK(hops > 0);
  SK_OK(wasi_sockets_udp_method_udp_socket_set_unicast_hop_limit(b, 1, &sc));
  SK_OK(wasi_sockets_udp_method_udp_socket_unicast_hop_limit(b, &hops, &sc));
  CHECK(hops == 1);
  SK_OK(wasi_sockets_udp_method_udp_socket_set_unicast_hop_limit(b, 255, &sc));
  SK_ERR(wasi_sockets_udp_method_udp_socket_set_unicast_hop_limit(b, 0, &sc),
         WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_ARGUMENT);
  SK_OK(wasi_sockets_udp_method_udp_socket_unicast_hop_limit(b, &hops, &sc));
  CHECK(hops == 255);

  typedef bool (*get_t)(udp_t, uint64_t *, sock_code_t *);
  typedef bool (*set_t)(udp_t, uint64_t, sock_code_t *);
  get_t gets[2] = {wasi_sockets_udp_method_udp_socket_receive_buffer_size,
                   wasi_sockets_udp_method_udp_socket_send_buffer_size};
  set_t sets[2] = {wasi_sockets_udp_method_udp_socket_set_receive_buffer_size,
                   wasi_sockets_udp_method_udp_socket_set_send_buffer_size};
  for (int i = 0; i < 2; i++) {
    uint64_t size, small, large;
    SK_OK(gets[i](b, &size, &sc));
    CHECK(size > 0);
    SK_ERR(sets[i](b, 0, &sc), WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_ARGUMENT);
    SK_OK(gets[i](b, &small, &sc));
    CHECK(small == size);  // a refused value changes nothing
    // Any other value is taken, clamped as the host likes.
    SK_OK(sets[i](b, 4096, &sc));
    SK_OK(gets[i](b, &small, &sc));
    SK_OK(sets[i](b, 1 << 20, &sc));
    SK_OK(gets[i](b, &large, &sc));
    CHECK(small > 0 && large >= small);
    SK_OK(sets[i](b, 1, &sc));
    SK_OK(sets[i](b, UINT64_MAX, &sc));
    SK_OK(gets[i](b, &size, &sc));
    CHECK(size > 0);
  }

  // Options hold across the bind, and local-address needs one.
  sockaddr_t local;
  SK_ERR(local_address(s, &local), WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_STATE);
  SK_OK(start_bind(s, any_port(family, 0)));
  SK_OK(finish_bind(s));
  SK_OK(local_address(s, &local));
  sockaddr_t want = any_port(family, port_of(&local));
  CHECK(port_of(&local) != 0 && addr_eq(&local, &want));
  SK_OK(wasi_sockets_udp_method_udp_socket_unicast_hop_limit(b, &hops, &sc));
  CHECK(hops == 255);
  SK_OK(wasi_sockets_udp_method_udp_socket_set_unicast_hop_limit(b, 64, &sc));
  SK_OK(wasi_sockets_udp_method_udp_socket_unicast_hop_limit(b, &hops, &sc));
  CHECK(hops == 64);
  expect_family(s, family);
  wasi_sockets_udp_udp_socket_drop_own(s);
}

static void mode_options(void) {
  options_of(V4);
  OK("options-ipv4");
  options_of(V6);
  OK("options-ipv6");
}

static void mode_states(void) {
  udp_own_t s = created(V4);
  streams_t st;
  sockaddr_t addr, peer = loopback4(9);
  SK_ERR(stream(s, NULL, &st), WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_STATE);
  SK_ERR(stream(s, &peer, &st), WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_STATE);
  SK_ERR(local_address(s, &addr), WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_STATE);
  SK_ERR(remote_address(s, &addr), WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_STATE);
  SK_ERR(finish_bind(s), WASI_SOCKETS_NETWORK_ERROR_CODE_NOT_IN_PROGRESS);
  OK("unbound");

  // A bind of the other family, then a socket still unbound.
  SK_ERR(start_bind(s, loopback6(0)), WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_ARGUMENT);
  SK_ERR(finish_bind(s), WASI_SOCKETS_NETWORK_ERROR_CODE_NOT_IN_PROGRESS);
  SK_OK(start_bind(s, loopback4(0)));
  SK_ERR(start_bind(s, loopback4(0)), WASI_SOCKETS_NETWORK_ERROR_CODE_CONCURRENCY_CONFLICT);
  SK_ERR(local_address(s, &addr), WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_STATE);
  SK_ERR(stream(s, NULL, &st), WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_STATE);
  SK_OK(finish_bind(s));
  SK_ERR(finish_bind(s), WASI_SOCKETS_NETWORK_ERROR_CODE_NOT_IN_PROGRESS);
  SK_ERR(start_bind(s, loopback4(0)), WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_STATE);
  SK_OK(local_address(s, &addr));
  SK_ERR(remote_address(s, &addr), WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_STATE);
  pollable_t p = wasi_sockets_udp_method_udp_socket_subscribe(B(s));
  CHECK(wait_ready(p, PATIENCE_MS));
  pollable_drop(p);
  OK("bind");

  // A second stream while the first pair lives: the first pair stops
  // working (invalid-state; its pollables, taken before or after, turn
  // ready, so that a waiter learns it), the second works.
  sockaddr_t self;
  SK_OK(local_address(s, &self));
  streams_t old = streams(s, NULL);
  pollable_t old_in1 = wasi_sockets_udp_method_incoming_datagram_stream_subscribe(BI(old.in));
  CHECK(!ready(old_in1));
  streams_t cur = streams(s, &self);
  CHECK(ready(old_in1));
  pollable_drop(old_in1);
  SK_OK(remote_address(s, &addr));
  CHECK(addr_eq(&addr, &self));
  dgrams_t got;
  uint64_t permit;
  SK_ERR(wasi_sockets_udp_method_incoming_datagram_stream_receive(BI(old.in), 1, &got, &sc),
         WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_STATE);
  SK_ERR(wasi_sockets_udp_method_outgoing_datagram_stream_check_send(BO(old.out), &permit, &sc),
         WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_STATE);
  pollable_t old_in2 = wasi_sockets_udp_method_incoming_datagram_stream_subscribe(BI(old.in));
  pollable_t old_out = wasi_sockets_udp_method_outgoing_datagram_stream_subscribe(BO(old.out));
  CHECK(ready(old_in2) && ready(old_out));
  pollable_drop(old_in2);
  pollable_drop(old_out);
  streams_drop(old);
  // The current pair talks to itself.
  SK_OK(send1(cur.out, "self", NULL));
  expect_datagram(cur.in, "self", &self);
  OK("stream-again");

  // A stream refused for its address leaves the socket as it was.
  sockaddr_t port0 = loopback4(0);
  SK_ERR(stream(s, &port0, &st), WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_ARGUMENT);
  SK_OK(remote_address(s, &addr));
  CHECK(addr_eq(&addr, &self));
  SK_OK(send1(cur.out, "still", NULL));
  expect_datagram(cur.in, "still", &self);
  streams_drop(cur);
  st = streams(s, NULL);
  SK_ERR(remote_address(s, &addr), WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_STATE);
  streams_drop(st);
  wasi_sockets_udp_udp_socket_drop_own(s);
  OK("stream-refused");
}

static void mode_policy_create(void) {
  udp_own_t s;
  SK_ERR(create(V4, &s), WASI_SOCKETS_NETWORK_ERROR_CODE_ACCESS_DENIED);
  SK_ERR(create(V6, &s), WASI_SOCKETS_NETWORK_ERROR_CODE_ACCESS_DENIED);
  OK("policy-create");
}

static void mode_policy_bind(void) {
  udp_own_t s = created(V4);
  SK_ERR(start_bind(s, loopback4(0)), WASI_SOCKETS_NETWORK_ERROR_CODE_ACCESS_DENIED);
  SK_ERR(finish_bind(s), WASI_SOCKETS_NETWORK_ERROR_CODE_NOT_IN_PROGRESS);
  sockaddr_t addr;
  SK_ERR(local_address(s, &addr), WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_STATE);
  wasi_sockets_udp_udp_socket_drop_own(s);
  OK("policy-bind");
}

static void mode_policy_send(const command_list_string_t *args) {
  CHECK(args->len == 3);
  sockaddr_t target = loopback4(port_arg(args, 2));
  udp_own_t s = bound_to(loopback4(0));
  streams_t st = streams(s, NULL);
  SK_ERR(send1(st.out, "denied", &target), WASI_SOCKETS_NETWORK_ERROR_CODE_ACCESS_DENIED);
  // The first datagram's refusal is the send's answer, however many follow.
  odgram_t d[2] = {dgram("denied", &target), dgram("denied", &target)};
  uint64_t sent;
  SK_ERR(send_many(st.out, d, 2, &sent), WASI_SOCKETS_NETWORK_ERROR_CODE_ACCESS_DENIED);
  streams_drop(st);
  SK_ERR(stream(s, &target, &st), WASI_SOCKETS_NETWORK_ERROR_CODE_ACCESS_DENIED);
  sockaddr_t addr;
  SK_ERR(remote_address(s, &addr), WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_STATE);
  wasi_sockets_udp_udp_socket_drop_own(s);
  OK("policy-send");
}

static void mode_policy_receive(const command_list_string_t *args) {
  CHECK(args->len == 3);
  sockaddr_t peer = loopback4(port_arg(args, 2));
  udp_own_t s = bound_to(loopback4(0));
  streams_t st = streams(s, NULL);
  SK_OK(send1(st.out, "hello", &peer));
  expect_datagram(st.in, "re:hello", &peer);
  expect_nothing(st.in);
  SK_OK(send1(st.out, "end", &peer));
  streams_drop(st);
  wasi_sockets_udp_udp_socket_drop_own(s);
  OK("policy-receive");
}

static void mode_edges(const command_list_string_t *args) {
  CHECK(args->len == 4);
  uint16_t lo = port_arg(args, 2), hi = port_arg(args, 3);
  CHECK(lo > 1 && hi < 65535 && lo < hi);
  sockaddr_t below = loopback4(lo - 1), low = loopback4(lo), high = loopback4(hi),
             above = loopback4(hi + 1);
  udp_own_t s = bound_to(loopback4(0));
  streams_t st = streams(s, NULL);
  SK_ERR(send1(st.out, "below", &below), WASI_SOCKETS_NETWORK_ERROR_CODE_ACCESS_DENIED);
  SK_ERR(send1(st.out, "above", &above), WASI_SOCKETS_NETWORK_ERROR_CODE_ACCESS_DENIED);
  SK_OK(send1(st.out, "lo", &low));
  SK_OK(send1(st.out, "hi", &high));
  OK("send-edges");
  // The test answers from below and above, then from lo and hi: the first
  // two are dropped, so the next two are all that shows.
  dgrams_t got = receive_n(st.in, 2);
  CHECK(got.len == 2 && holds(&got, "re:lo", &low) && holds(&got, "re:hi", &high));
  wasi_sockets_udp_list_incoming_datagram_free(&got);
  expect_nothing(st.in);
  streams_drop(st);
  wasi_sockets_udp_udp_socket_drop_own(s);
  OK("receive-edges");
}

static void mode_bad_input(const command_list_string_t *args) {
  CHECK(args->len == 3);
  uint16_t port = port_arg(args, 2);
  sockaddr_t target = loopback4(port);

  // A bind that fails leaves no bind in progress, and the socket can bind
  // again.
  udp_own_t s = created(V4);
  SK_ERR(start_bind(s, target), WASI_SOCKETS_NETWORK_ERROR_CODE_ADDRESS_IN_USE);
  SK_ERR(finish_bind(s), WASI_SOCKETS_NETWORK_ERROR_CODE_NOT_IN_PROGRESS);
  SK_ERR(start_bind(s, v4(192, 0, 2, 1, 0)), WASI_SOCKETS_NETWORK_ERROR_CODE_ADDRESS_NOT_BINDABLE);
  SK_ERR(finish_bind(s), WASI_SOCKETS_NETWORK_ERROR_CODE_NOT_IN_PROGRESS);
  SK_OK(start_bind(s, loopback4(0)));
  SK_OK(finish_bind(s));
  OK("bind-errors");
  sockaddr_t self;
  SK_OK(local_address(s, &self));
  streams_t st = streams(s, NULL);
  const sock_code_t invalid = WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_ARGUMENT;

  sockaddr_t port0 = loopback4(0), unspecified = v4(0, 0, 0, 0, port), six = loopback6(port);
  SK_ERR(send1(st.out, "x", &port0), invalid);
  SK_ERR(send1(st.out, "x", &unspecified), invalid);
  SK_ERR(send1(st.out, "x", &six), invalid);
  SK_ERR(send1(st.out, "x", NULL), invalid);
  OK("send-invalid-address");
  sockaddr_t broadcast = v4(255, 255, 255, 255, port);
  if (send1(st.out, "x", &broadcast)) p2_fail(__FILE__, __LINE__, "broadcast sent", NULL);
  got_sock_code("send-broadcast", sc);

  // The largest UDP payload over IPv4 goes out whole; one byte more is
  // too large.
  enum { MAX_V4 = 65507 };
  uint8_t *big = malloc(MAX_V4 + 1);
  CHECK(big != NULL);
  for (size_t i = 0; i <= MAX_V4; i++) big[i] = (uint8_t)('a' + i % 26);
  odgram_t d = {{big, MAX_V4 + 1}, {.is_some = true, .val = target}};
  uint64_t sent;
  SK_ERR(send_many(st.out, &d, 1, &sent), WASI_SOCKETS_NETWORK_ERROR_CODE_DATAGRAM_TOO_LARGE);
  d.data.len = MAX_V4;
  SK_OK(send_many(st.out, &d, 1, &sent));
  CHECK(sent == 1);
  free(big);
  OK("datagram-too-large");

  // The first datagram that cannot go ends the send: a count if some went
  // before it, its error if none did.
  odgram_t three[3] = {dgram("b1", &target), dgram("b2", &port0), dgram("b3", &target)};
  SK_OK(send_many(st.out, three, 3, &sent));
  CHECK(sent == 1);
  SK_ERR(send_many(st.out, three + 1, 2, &sent), invalid);
  odgram_t none[1];
  wasi_sockets_udp_list_outgoing_datagram_t empty = {none, 0};
  uint64_t permit;
  SK_OK(check_send(st.out, &permit));
  SK_OK(wasi_sockets_udp_method_outgoing_datagram_stream_send(BO(st.out), &empty, &sent, &sc));
  CHECK(sent == 0);
  OK("send-partial");

  // As many datagrams as check-send permits, in one send.
  SK_OK(check_send(st.out, &permit));
  CHECK(permit <= 1024);
  odgram_t *many = malloc(permit * sizeof *many);
  CHECK(many != NULL);
  for (uint64_t i = 0; i < permit; i++) many[i] = dgram("p", &target);
  wasi_sockets_udp_list_outgoing_datagram_t list = {many, permit};
  SK_OK(wasi_sockets_udp_method_outgoing_datagram_stream_send(BO(st.out), &list, &sent, &sc));
  CHECK(sent == permit);
  free(many);
  out_str("got check-send ");
  out_u64(permit);
  out_str("\n");
  OK("send-permitted");

  streams_t other;
  SK_ERR(stream(s, &port0, &other), invalid);
  SK_ERR(stream(s, &unspecified, &other), invalid);
  SK_ERR(stream(s, &six, &other), invalid);
  // The streams in hand still work after the refusals.
  SK_OK(send1(st.out, "after", &target));
  OK("stream-invalid-address");

  // receive(0) is empty even with datagrams waiting; 2^64-1 takes what is
  // waiting, in bounded batches.
  enum { QUEUED = 70 };
  for (int i = 0; i < QUEUED;) {
    SK_OK(check_send(st.out, &permit));
    odgram_t batch[QUEUED];
    uint64_t n = permit < (uint64_t)(QUEUED - i) ? permit : (uint64_t)(QUEUED - i);
    for (uint64_t j = 0; j < n; j++) batch[j] = dgram("q", &self);
    wasi_sockets_udp_list_outgoing_datagram_t l = {batch, n};
    SK_OK(wasi_sockets_udp_method_outgoing_datagram_stream_send(BO(st.out), &l, &sent, &sc));
    CHECK(sent > 0 && sent <= n);
    i += (int)sent;
  }
  pollable_t p = wasi_sockets_udp_method_incoming_datagram_stream_subscribe(BI(st.in));
  CHECK(wait_ready(p, PATIENCE_MS));
  pollable_drop(p);
  dgrams_t got;
  SK_OK(wasi_sockets_udp_method_incoming_datagram_stream_receive(BI(st.in), 0, &got, &sc));
  CHECK(got.len == 0);
  OK("receive-zero");
  size_t total = 0, largest = 0;
  for (int tries = 0; tries < 100 && total < QUEUED; tries++) {
    SK_OK(wasi_sockets_udp_method_incoming_datagram_stream_receive(BI(st.in), UINT64_MAX, &got,
                                                                    &sc));
    if (got.len > largest) largest = got.len;
    for (size_t i = 0; i < got.len; i++) {
      CHECK(bytes_eq(&got.ptr[i].data, "q", 1));
      CHECK(addr_eq(&got.ptr[i].remote_address, &self));
    }
    total += got.len;
    wasi_sockets_udp_list_incoming_datagram_free(&got);
    if (total < QUEUED) {
      p = wasi_sockets_udp_method_incoming_datagram_stream_subscribe(BI(st.in));
      wait_ready(p, 100);
      pollable_drop(p);
    }
  }
  CHECK(total == QUEUED);
  expect_nothing(st.in);
  out_str("got receive-huge-max-largest ");
  out_u64(largest);
  out_str("\n");
  OK("receive-huge-max");
  SK_OK(send1(st.out, "end", &target));
  streams_drop(st);
  wasi_sockets_udp_udp_socket_drop_own(s);

  // An IPv6 socket refuses IPv4 addresses, mapped or not.
  udp_own_t s6 = created(V6);
  SK_ERR(start_bind(s6, loopback4(0)), invalid);
  sockaddr_t mapped = loopback6(0);
  mapped.val.ipv6.address = (wasi_sockets_network_ipv6_address_t){0, 0, 0, 0, 0, 0xffff, 0x7f00, 1};
  SK_ERR(start_bind(s6, mapped), invalid);
  SK_OK(start_bind(s6, loopback6(0)));
  SK_OK(finish_bind(s6));
  st = streams(s6, NULL);
  mapped.val.ipv6.port = port;
  SK_ERR(send1(st.out, "x", &mapped), invalid);
  SK_ERR(send1(st.out, "x", &target), invalid);
  SK_ERR(stream(s6, &mapped, &other), invalid);
  streams_drop(st);
  wasi_sockets_udp_udp_socket_drop_own(s6);
  OK("ipv6-invalid-address");
}

// A bound socket with unconnected streams, for the trap modes; it sends to
// itself.
static udp_own_t trap_socket(streams_t *st, sockaddr_t *self) {
  udp_own_t s = bound_to(loopback4(0));
  SK_OK(local_address(s, self));
  *st = streams(s, NULL);
  return s;
}

static void send_unchecked(out_own_t out, odgram_t *d, size_t n) {
  wasi_sockets_udp_list_outgoing_datagram_t list = {d, n};
  uint64_t sent;
  wasi_sockets_udp_method_outgoing_datagram_stream_send(BO(out), &list, &sent, &sc);
}

static void mode_trap(const command_string_t *mode) {
  streams_t st;
  sockaddr_t self;
  udp_own_t s = trap_socket(&st, &self);
  if (str_eq(mode, "trap-send-without-check")) {
    odgram_t d = dgram("x", &self);
    send_unchecked(st.out, &d, 1);
  } else if (str_eq(mode, "trap-send-over-permit")) {
    uint64_t permit;
    SK_OK(check_send(st.out, &permit));
    CHECK(permit < 1024);
    odgram_t *d = malloc((permit + 1) * sizeof *d);
    CHECK(d != NULL);
    for (uint64_t i = 0; i <= permit; i++) d[i] = dgram("x", &self);
    send_unchecked(st.out, d, permit + 1);
  } else if (str_eq(mode, "trap-permit-reused")) {
    odgram_t d = dgram("x", &self);
    SK_OK(send1(st.out, "x", &self));
    send_unchecked(st.out, &d, 1);
  } else if (str_eq(mode, "trap-drop-socket-with-streams")) {
    wasi_sockets_udp_udp_socket_drop_own(s);
  } else {
    p2_fail(__FILE__, __LINE__, "unknown mode", NULL);
  }
  p2_fail(__FILE__, __LINE__, "returned instead of trapping", NULL);
}

bool exports_wasi_cli_run_run(void) {
  command_list_string_t args = get_args();
  if (args.len < 2) p2_fail(__FILE__, __LINE__, "usage: p2_udp MODE [PORTS]", NULL);
  command_string_t *mode = &args.ptr[1];
  if (str_eq(mode, "ping")) {
    mode_ping(&args);
  } else if (str_eq(mode, "connected")) {
    mode_connected(&args);
  } else if (str_eq(mode, "refused")) {
    mode_refused(&args);
  } else if (str_eq(mode, "options")) {
    mode_options();
  } else if (str_eq(mode, "states")) {
    mode_states();
  } else if (str_eq(mode, "policy-create")) {
    mode_policy_create();
  } else if (str_eq(mode, "policy-bind")) {
    mode_policy_bind();
  } else if (str_eq(mode, "policy-send")) {
    mode_policy_send(&args);
  } else if (str_eq(mode, "policy-receive")) {
    mode_policy_receive(&args);
  } else if (str_eq(mode, "edges")) {
    mode_edges(&args);
  } else if (str_eq(mode, "bad-input")) {
    mode_bad_input(&args);
  } else if (mode->len > 5 && memcmp(mode->ptr, "trap-", 5) == 0) {
    mode_trap(mode);
  } else {
    p2_fail(__FILE__, __LINE__, "unknown mode", NULL);
  }
  command_list_string_free(&args);
  OK("p2_udp");
  p2_exit(true);
}
