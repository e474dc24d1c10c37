// A TCP echo server over wasi:sockets, the network's demonstration guest:
//
//   p2_echo IPV4:PORT [CONNECTIONS]
//
// It listens on the address (port 0 picks one), prints
// "listening on IPV4:PORT" with the port it got, then serves CONNECTIONS
// connections one after another (default 1; 0 serves forever), echoing
// every byte until the client shuts its sending half, and prints
// "echoed N bytes to IPV4:PORT" for each. A refusal prints
// "p2_echo: STEP IPV4:PORT: ERROR-CODE" on stderr and exits with status 1.
#include "p2net.h"

// The largest read asked of the host at once: a pipe's worth.
#define CHUNK 65536

static wasi_io_streams_own_output_stream_t stderr_handle;

static void err_str(const char *s) {
  static bool open;
  if (!open) {
    stderr_handle = wasi_cli_stderr_get_stderr();
    open = true;
  }
  command_list_u8_t list = {(uint8_t *)s, strlen(s)};
  stream_error_t e;
  if (!wasi_io_streams_method_output_stream_blocking_write_and_flush(
          wasi_io_streams_borrow_output_stream(stderr_handle), &list, &e))
    stream_error_drop(&e);
}

static void print_addr(void (*put)(const char *), const sockaddr_t *a) {
  char buf[32];
  const wasi_sockets_network_ipv4_address_t *ip = &a->val.ipv4.address;
  uint64_t parts[5] = {ip->f0, ip->f1, ip->f2, ip->f3, a->val.ipv4.port};
  size_t n = 0;
  for (int i = 0; i < 5; i++) {
    char digits[8];
    size_t d = 0;
    uint64_t v = parts[i];
    do {
      digits[d++] = (char)('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (d > 0) buf[n++] = digits[--d];
    buf[n++] = i < 3 ? '.' : i == 3 ? ':' : '\0';
  }
  put(buf);
}

static _Noreturn void refused(const char *step, const sockaddr_t *a, sock_code_t code) {
  err_str("p2_echo: ");
  err_str(step);
  err_str(" ");
  print_addr(err_str, a);
  err_str(": ");
  err_str(sock_code_name(code));
  err_str("\n");
  p2_exit(false);
}

static _Noreturn void usage(const char *why) {
  err_str("p2_echo: ");
  err_str(why);
  err_str("; usage: p2_echo IPV4:PORT [CONNECTIONS]\n");
  p2_exit(false);
}

// Parses "a.b.c.d:port".
static sockaddr_t parse_addr(const command_string_t *s) {
  uint64_t parts[5] = {0};
  size_t part = 0, digits = 0;
  for (size_t i = 0; i < s->len; i++) {
    uint8_t c = s->ptr[i];
    if (c >= '0' && c <= '9' && digits < 5) {
      parts[part] = parts[part] * 10 + (c - '0');
      digits++;
    } else if (digits > 0 && ((c == '.' && part < 3) || (c == ':' && part == 3))) {
      part++;
      digits = 0;
    } else {
      usage("the address is not IPV4:PORT");
    }
  }
  if (part != 4 || digits == 0) usage("the address is not IPV4:PORT");
  for (int i = 0; i < 4; i++)
    if (parts[i] > 255) usage("the address is not IPV4:PORT");
  if (parts[4] > 65535) usage("the port is above 65535");
  return v4((uint8_t)parts[0], (uint8_t)parts[1], (uint8_t)parts[2], (uint8_t)parts[3],
            (uint16_t)parts[4]);
}

// Writes all of `data`, waiting for room as the socket drains. False if the
// peer went away.
static bool write_all(wasi_io_streams_borrow_output_stream_t out, const uint8_t *data, size_t len) {
  while (len > 0) {
    uint64_t room;
    if (!wasi_io_streams_method_output_stream_check_write(out, &room, &serr)) {
      stream_error_drop(&serr);
      return false;
    }
    if (room == 0) {
      pollable_t p = wasi_io_streams_method_output_stream_subscribe(out);
      block(p);
      pollable_drop(p);
      continue;
    }
    size_t n = len < room ? len : (size_t)room;
    command_list_u8_t list = {(uint8_t *)data, n};
    if (!wasi_io_streams_method_output_stream_write(out, &list, &serr)) {
      stream_error_drop(&serr);
      return false;
    }
    data += n;
    len -= n;
  }
  if (!wasi_io_streams_method_output_stream_blocking_flush(out, &serr)) {
    stream_error_drop(&serr);
    return false;
  }
  return true;
}

// Echoes one connection until its client stops sending; returns the byte
// count.
static uint64_t echo(wasi_sockets_tcp_tuple3_own_tcp_socket_own_input_stream_own_output_stream_t *c) {
  wasi_io_streams_borrow_input_stream_t in = wasi_io_streams_borrow_input_stream(c->f1);
  wasi_io_streams_borrow_output_stream_t out = wasi_io_streams_borrow_output_stream(c->f2);
  uint64_t total = 0;
  for (;;) {
    command_list_u8_t got;
    if (!wasi_io_streams_method_input_stream_blocking_read(in, CHUNK, &got, &serr)) {
      stream_error_drop(&serr);
      break;
    }
    bool sent = write_all(out, got.ptr, got.len);
    total += sent ? got.len : 0;
    command_list_u8_free(&got);
    if (!sent) break;
  }
  wasi_io_streams_output_stream_drop_own(c->f2);
  wasi_io_streams_input_stream_drop_own(c->f1);
  return total;
}

bool exports_wasi_cli_run_run(void) {
  command_list_string_t args = get_args();
  if (args.len < 2 || args.len > 3) usage("wrong number of arguments");
  sockaddr_t addr = parse_addr(&args.ptr[1]);
  uint64_t connections = args.len == 3 ? arg_u64(&args, 2) : 1;

  wasi_sockets_tcp_own_tcp_socket_t own;
  if (!wasi_sockets_tcp_create_socket_create_tcp_socket(WASI_SOCKETS_NETWORK_IP_ADDRESS_FAMILY_IPV4,
                                                        &own, &sc))
    refused("socket", &addr, sc);
  tcp_t listener = wasi_sockets_tcp_borrow_tcp_socket(own);
  if (!wasi_sockets_tcp_method_tcp_socket_start_bind(listener, net(), &addr, &sc) ||
      !wasi_sockets_tcp_method_tcp_socket_finish_bind(listener, &sc))
    refused("bind", &addr, sc);
  if (!wasi_sockets_tcp_method_tcp_socket_start_listen(listener, &sc) ||
      !wasi_sockets_tcp_method_tcp_socket_finish_listen(listener, &sc))
    refused("listen", &addr, sc);
  sockaddr_t bound;
  SK_OK(wasi_sockets_tcp_method_tcp_socket_local_address(listener, &bound, &sc));
  out_str("listening on ");
  print_addr(out_str, &bound);
  out_str("\n");

  pollable_t incoming = wasi_sockets_tcp_method_tcp_socket_subscribe(listener);
  for (uint64_t served = 0; connections == 0 || served < connections;) {
    wasi_sockets_tcp_tuple3_own_tcp_socket_own_input_stream_own_output_stream_t c;
    if (!wasi_sockets_tcp_method_tcp_socket_accept(listener, &c, &sc)) {
      if (sc != WASI_SOCKETS_NETWORK_ERROR_CODE_WOULD_BLOCK) refused("accept", &bound, sc);
      block(incoming);
      continue;
    }
    sockaddr_t peer;
    SK_OK(wasi_sockets_tcp_method_tcp_socket_remote_address(wasi_sockets_tcp_borrow_tcp_socket(c.f0),
                                                            &peer, &sc));
    uint64_t n = echo(&c);
    wasi_sockets_tcp_tcp_socket_drop_own(c.f0);
    out_str("echoed ");
    out_u64(n);
    out_str(" bytes to ");
    print_addr(out_str, &peer);
    out_str("\n");
    served++;
  }
  pollable_drop(incoming);
  wasi_sockets_tcp_tcp_socket_drop_own(own);
  return true;
}
