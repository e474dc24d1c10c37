// wasi:sockets/ip-name-lookup without reaching any DNS server: only
// "localhost" (the hosts file) and IP literals are resolved, and invalid
// names are refused before any lookup. The first argument is the mode:
//
// - localhost: resolves "localhost" to 127.0.0.1 (and perhaps ::1, printed
//   as "got localhost-ipv6 yes|no"), then none, and none again.
// - literals: IPv4, IPv6 and IPv4-mapped literals are their own answer.
// - invalid: syntactically invalid names are invalid-argument.
// - denied: without the grant, resolve-addresses is access-denied, for
//   names, literals and invalid names alike.
// - drop-pending: streams dropped while their lookups run, with and
//   without a pollable taken first; a lookup afterwards still answers.
//
// A temporary-resolver-failure is retried a bounded number of times: the
// host caps the lookups in flight across all guests, and the WIT asks a
// guest to retry that error.
#include "p2net.h"

#define PATIENCE_MS 10000ull

typedef wasi_sockets_ip_name_lookup_own_resolve_address_stream_t rs_own_t;
typedef wasi_sockets_network_ip_address_t ipaddr_t;

static wasi_sockets_ip_name_lookup_borrow_resolve_address_stream_t BR(rs_own_t s) {
  return wasi_sockets_ip_name_lookup_borrow_resolve_address_stream(s);
}

static bool resolve_bytes(const char *name, size_t len, rs_own_t *stream) {
  command_string_t s = {(uint8_t *)name, len};
  return wasi_sockets_ip_name_lookup_resolve_addresses(net(), &s, stream, &sc);
}

static bool resolve(const char *name, rs_own_t *stream) {
  return resolve_bytes(name, strlen(name), stream);
}

static bool next_address(rs_own_t stream, wasi_sockets_ip_name_lookup_option_ip_address_t *addr) {
  return wasi_sockets_ip_name_lookup_method_resolve_address_stream_resolve_next_address(
      BR(stream), addr, &sc);
}

static pollable_t subscribe(rs_own_t stream) {
  return wasi_sockets_ip_name_lookup_method_resolve_address_stream_subscribe(BR(stream));
}

static void sleep_ms(uint64_t ms) {
  pollable_t timer = wasi_clocks_monotonic_clock_subscribe_duration(ms * MS);
  block(timer);
  pollable_drop(timer);
}

static bool is_v4(const ipaddr_t *a, uint8_t x, uint8_t y, uint8_t z, uint8_t w) {
  const wasi_sockets_network_ipv4_address_t *v = &a->val.ipv4;
  return a->tag == WASI_SOCKETS_NETWORK_IP_ADDRESS_IPV4 && v->f0 == x && v->f1 == y &&
         v->f2 == z && v->f3 == w;
}

static bool is_v6_loopback(const ipaddr_t *a) {
  const wasi_sockets_network_ipv6_address_t *v = &a->val.ipv6;
  return a->tag == WASI_SOCKETS_NETWORK_IP_ADDRESS_IPV6 && v->f0 == 0 && v->f1 == 0 &&
         v->f2 == 0 && v->f3 == 0 && v->f4 == 0 && v->f5 == 0 && v->f6 == 0 && v->f7 == 1;
}

static bool is_v4_mapped(const ipaddr_t *a) {
  const wasi_sockets_network_ipv6_address_t *v = &a->val.ipv6;
  return a->tag == WASI_SOCKETS_NETWORK_IP_ADDRESS_IPV6 && v->f0 == 0 && v->f1 == 0 &&
         v->f2 == 0 && v->f3 == 0 && v->f4 == 0 && v->f5 == 0xffff;
}

enum { MAX_ADDRS = 32 };

// Resolves `name` to at most MAX_ADDRS addresses: waits on the stream's
// pollable (bounded), reads until none, and checks that none stays none
// and that no answer is IPv4-mapped. Retries a temporary failure.
static size_t resolve_all(const char *name, ipaddr_t *addrs) {
  for (int attempt = 0; attempt < 50; attempt++) {
    rs_own_t stream;
    SK_OK(resolve(name, &stream));
    pollable_t p = subscribe(stream);
    CHECK(wait_ready(p, PATIENCE_MS));
    pollable_drop(p);
    size_t n = 0;
    bool retry = false;
    for (int i = 0; i < 1000; i++) {
      wasi_sockets_ip_name_lookup_option_ip_address_t addr;
      if (!next_address(stream, &addr)) {
        if (n == 0 && sc == WASI_SOCKETS_NETWORK_ERROR_CODE_TEMPORARY_RESOLVER_FAILURE) {
          retry = true;
          break;
        }
        p2_fail(__FILE__, __LINE__, "resolve-next-address", sock_code_name(sc));
      }
      if (!addr.is_some) break;
      CHECK(n < MAX_ADDRS);
      CHECK(!is_v4_mapped(&addr.val));
      addrs[n++] = addr.val;
    }
    if (!retry) {
      for (int i = 0; i < 3; i++) {
        wasi_sockets_ip_name_lookup_option_ip_address_t addr;
        SK_OK(next_address(stream, &addr));
        CHECK(!addr.is_some);
      }
      wasi_sockets_ip_name_lookup_resolve_address_stream_drop_own(stream);
      return n;
    }
    wasi_sockets_ip_name_lookup_resolve_address_stream_drop_own(stream);
    sleep_ms(20);
  }
  p2_fail(__FILE__, __LINE__, "the resolver stayed busy", name);
}

static void mode_localhost(void) {
  ipaddr_t addrs[MAX_ADDRS];
  size_t n = resolve_all("localhost", addrs);
  CHECK(n >= 1);
  bool v4 = false, v6 = false;
  for (size_t i = 0; i < n; i++) {
    if (is_v4(&addrs[i], 127, 0, 0, 1)) {
      v4 = true;
    } else if (is_v6_loopback(&addrs[i])) {
      v6 = true;
    } else {
      p2_fail(__FILE__, __LINE__, "localhost resolved to neither loopback address", NULL);
    }
    for (size_t j = 0; j < i; j++) CHECK(memcmp(&addrs[i], &addrs[j], sizeof addrs[i]) != 0);
  }
  CHECK(v4);
  OK("localhost");
  out_str(v6 ? "got localhost-ipv6 yes\n" : "got localhost-ipv6 no\n");
}

// A literal resolves to exactly `want`, at once: its pollable is ready
// without waiting and no lookup runs.
static void expect_literal(const char *name, const ipaddr_t *want) {
  rs_own_t stream;
  SK_OK(resolve(name, &stream));
  pollable_t p = subscribe(stream);
  CHECK(ready(p));
  pollable_drop(p);
  wasi_sockets_ip_name_lookup_option_ip_address_t addr;
  SK_OK(next_address(stream, &addr));
  CHECK(addr.is_some);
  CHECK(addr.val.tag == want->tag);
  if (want->tag == WASI_SOCKETS_NETWORK_IP_ADDRESS_IPV4) {
    CHECK(memcmp(&addr.val.val.ipv4, &want->val.ipv4, sizeof want->val.ipv4) == 0);
  } else {
    CHECK(memcmp(&addr.val.val.ipv6, &want->val.ipv6, sizeof want->val.ipv6) == 0);
  }
  SK_OK(next_address(stream, &addr));
  CHECK(!addr.is_some);
  wasi_sockets_ip_name_lookup_resolve_address_stream_drop_own(stream);
}

static void mode_literals(void) {
  ipaddr_t v4 = {.tag = WASI_SOCKETS_NETWORK_IP_ADDRESS_IPV4};
  v4.val.ipv4 = (wasi_sockets_network_ipv4_address_t){127, 0, 0, 1};
  expect_literal("127.0.0.1", &v4);
  ipaddr_t other = {.tag = WASI_SOCKETS_NETWORK_IP_ADDRESS_IPV4};
  other.val.ipv4 = (wasi_sockets_network_ipv4_address_t){192, 0, 2, 7};
  expect_literal("192.0.2.7", &other);
  OK("literal-ipv4");
  ipaddr_t v6 = {.tag = WASI_SOCKETS_NETWORK_IP_ADDRESS_IPV6};
  v6.val.ipv6 = (wasi_sockets_network_ipv6_address_t){0, 0, 0, 0, 0, 0, 0, 1};
  expect_literal("::1", &v6);
  ipaddr_t doc = {.tag = WASI_SOCKETS_NETWORK_IP_ADDRESS_IPV6};
  doc.val.ipv6 = (wasi_sockets_network_ipv6_address_t){0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x42};
  expect_literal("2001:db8::42", &doc);
  OK("literal-ipv6");
  // Answers are never IPv4-mapped, a mapped literal's included.
  expect_literal("::ffff:127.0.0.1", &v4);
  OK("literal-mapped");
  // The WIT does not say whether a bracketed IPv6 literal is a literal.
  rs_own_t stream;
  if (resolve("[::1]", &stream)) {
    wasi_sockets_ip_name_lookup_resolve_address_stream_drop_own(stream);
    expect_literal("[::1]", &v6);
    out_str("got literal-bracketed ok\n");
  } else {
    got_sock_code("literal-bracketed", sc);
  }
}

static void mode_invalid(void) {
  char long_name[301];
  memset(long_name, 'a', 300);
  for (int i = 50; i < 300; i += 50) long_name[i] = '.';
  long_name[300] = 0;
  char long_label[70];
  memset(long_label, 'b', 64);
  memcpy(long_label + 64, ".test", 6);
  static const char *const names[] = {
      "",        ".",       "a..b", "a b",          "localhost ",
      "-a.test", "a-.test", "a/b",  "localhost:80", "a\tb",
      "127.1",   "1.2.3.4.5", "[127.0.0.1]", "::1::", "exa$mple.test",
  };
  rs_own_t stream;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (resolve(names[i], &stream)) p2_fail(__FILE__, __LINE__, "resolved", names[i]);
    if (sc != WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_ARGUMENT)
      p2_fail(__FILE__, __LINE__, names[i], sock_code_name(sc));
  }
  SK_ERR(resolve(long_name, &stream), WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_ARGUMENT);
  SK_ERR(resolve(long_label, &stream), WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_ARGUMENT);
  // A NUL inside the name must not cut it short to "localhost".
  SK_ERR(resolve_bytes("localhost\0.evil", 15, &stream),
         WASI_SOCKETS_NETWORK_ERROR_CODE_INVALID_ARGUMENT);
  OK("invalid-names");
  // The WIT asks for IDNA; a host that does not do it refuses the name.
  if (resolve("b\xc3\xbc" "cher.test", &stream)) {
    wasi_sockets_ip_name_lookup_resolve_address_stream_drop_own(stream);
    out_str("got unicode-name accepted\n");
  } else {
    got_sock_code("unicode-name", sc);
  }
}

static void mode_denied(void) {
  rs_own_t stream;
  static const char *const names[] = {"localhost", "127.0.0.1", "::1", "", "a..b"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (resolve(names[i], &stream)) p2_fail(__FILE__, __LINE__, "resolved", names[i]);
    if (sc != WASI_SOCKETS_NETWORK_ERROR_CODE_ACCESS_DENIED)
      p2_fail(__FILE__, __LINE__, names[i], sock_code_name(sc));
  }
  OK("denied");
}

static void mode_drop_pending(void) {
  enum { N = 8 };
  rs_own_t streams[N];
  for (int i = 0; i < N; i++) SK_OK(resolve("localhost", &streams[i]));
  // Half with a pollable taken and dropped first, as children go first.
  for (int i = 0; i < N; i += 2) pollable_drop(subscribe(streams[i]));
  for (int i = 0; i < N; i++)
    wasi_sockets_ip_name_lookup_resolve_address_stream_drop_own(streams[i]);
  OK("drop-pending");
  // A finished lookup dropped unread, then one read to its end.
  rs_own_t stream;
  SK_OK(resolve("localhost", &stream));
  pollable_t p = subscribe(stream);
  CHECK(wait_ready(p, PATIENCE_MS));
  pollable_drop(p);
  wasi_sockets_ip_name_lookup_resolve_address_stream_drop_own(stream);
  ipaddr_t addrs[MAX_ADDRS];
  size_t n = resolve_all("localhost", addrs);
  bool v4 = false;
  for (size_t i = 0; i < n; i++) v4 = v4 || is_v4(&addrs[i], 127, 0, 0, 1);
  CHECK(v4);
  OK("lookup-after-drops");
}

bool exports_wasi_cli_run_run(void) {
  command_list_string_t args = get_args();
  if (args.len < 2) p2_fail(__FILE__, __LINE__, "usage: p2_lookup MODE", NULL);
  command_string_t *mode = &args.ptr[1];
  if (str_eq(mode, "localhost")) {
    mode_localhost();
  } else if (str_eq(mode, "literals")) {
    mode_literals();
  } else if (str_eq(mode, "invalid")) {
    mode_invalid();
  } else if (str_eq(mode, "denied")) {
    mode_denied();
  } else if (str_eq(mode, "drop-pending")) {
    mode_drop_pending();
  } else {
    p2_fail(__FILE__, __LINE__, "unknown mode", NULL);
  }
  command_list_string_free(&args);
  OK("p2_lookup");
  p2_exit(true);
}
