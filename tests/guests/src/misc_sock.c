/* sock_accept, sock_recv, sock_send and sock_shutdown on a listener the
 * host preopened, plus their errors on things that are not sockets.
 *
 * Expects: preopen "/sandbox" (fd 3) and a TCP listener (fd 4). The host
 * runs one client that
 *   1. connects, sends HELLO, reads until the guest shuts down its write
 *      side (expecting PONG), sends BYE and closes;
 *   2. then connects again, reads one byte ('!') and closes.
 * Every wait is bounded so a broken host fails the test instead of hanging. */
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

#define LISTENER 4
#define HELLO "hello from the host\n"
#define PONG_A "pong "
#define PONG_B "from the guest\n"
#define BYE "bye\n"
#define TIMEOUT_NS (20ull * 1000000000ull)

/* Waits until `fd` is ready for `type` (FD_READ or FD_WRITE), failing after
 * TIMEOUT_NS. */
static void wait_ready(__wasi_fd_t fd, uint8_t type) {
  __wasi_subscription_t in[2];
  memset(in, 0, sizeof in);
  in[0].userdata = 1;
  in[0].u.tag = type;
  in[0].u.u.fd_read.file_descriptor = fd;
  in[1].userdata = 2;
  in[1].u.tag = __WASI_EVENTTYPE_CLOCK;
  in[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  in[1].u.u.clock.timeout = TIMEOUT_NS;
  __wasi_event_t out[2];
  __wasi_size_t n = 0;
  CHECK_ERRNO(__wasi_poll_oneoff(in, out, 2, &n), __WASI_ERRNO_SUCCESS);
  for (__wasi_size_t i = 0; i < n; i++) {
    /* The clock firing means the peer never showed up. */
    CHECK(out[i].userdata == 1);
    CHECK_ERRNO(out[i].error, __WASI_ERRNO_SUCCESS);
    CHECK(out[i].type == type);
  }
  CHECK(n == 1);
}

/* Receives exactly strlen(want) bytes and checks them; recv may deliver
 * them in pieces. */
static void recv_exact(__wasi_fd_t fd, const char *want) {
  size_t len = strlen(want), got = 0;
  char buf[64];
  CHECK(len < sizeof buf);
  while (got < len) {
    wait_ready(fd, __WASI_EVENTTYPE_FD_READ);
    /* Two iovecs, the first short, so scatter works too. */
    size_t room = len - got;
    size_t first = room < 3 ? room : 3;
    __wasi_iovec_t iovs[2] = {{(uint8_t *)buf + got, first},
                              {(uint8_t *)buf + got + first, room - first}};
    __wasi_size_t n = 0;
    __wasi_roflags_t flags = 0xffff;
    CHECK_ERRNO(__wasi_sock_recv(fd, iovs, 2, 0, &n, &flags), __WASI_ERRNO_SUCCESS);
    CHECK(n > 0); /* not EOF yet */
    CHECK(n <= room);
    CHECK(flags == 0);
    got += n;
  }
  CHECK(memcmp(buf, want, len) == 0);
}

/* Waits for and checks end of stream: a readable socket whose recv gives 0. */
static void recv_eof(__wasi_fd_t fd) {
  wait_ready(fd, __WASI_EVENTTYPE_FD_READ);
  char buf[8];
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  __wasi_size_t n = 1;
  __wasi_roflags_t flags;
  CHECK_ERRNO(__wasi_sock_recv(fd, &iov, 1, 0, &n, &flags), __WASI_ERRNO_SUCCESS);
  CHECK(n == 0);
}

/* Sends `a` then `b` as one gathered message, finishing a short send. */
static void send_all(__wasi_fd_t fd, const char *a, const char *b) {
  char msg[64];
  size_t la = strlen(a), lb = strlen(b);
  CHECK(la + lb < sizeof msg);
  memcpy(msg, a, la);
  memcpy(msg + la, b, lb);
  wait_ready(fd, __WASI_EVENTTYPE_FD_WRITE);
  __wasi_ciovec_t iovs[2] = {{(const uint8_t *)a, la}, {(const uint8_t *)b, lb}};
  __wasi_size_t n = 0;
  CHECK_ERRNO(__wasi_sock_send(fd, iovs, 2, 0, &n), __WASI_ERRNO_SUCCESS);
  CHECK(n > 0 && n <= la + lb);
  for (size_t done = n; done < la + lb; done += n) {
    wait_ready(fd, __WASI_EVENTTYPE_FD_WRITE);
    __wasi_ciovec_t rest = {(const uint8_t *)msg + done, la + lb - done};
    CHECK_ERRNO(__wasi_sock_send(fd, &rest, 1, 0, &n), __WASI_ERRNO_SUCCESS);
    CHECK(n > 0);
  }
}

/* Every sock_* call on `fd` fails with `want`. */
static void sock_calls_fail(__wasi_fd_t fd, __wasi_errno_t want) {
  __wasi_fd_t conn = 0x5555;
  uint8_t buf[4];
  __wasi_iovec_t iov = {buf, sizeof buf};
  __wasi_ciovec_t ciov = {buf, sizeof buf};
  __wasi_size_t n;
  __wasi_roflags_t flags;
  CHECK_ERRNO(__wasi_sock_accept(fd, 0, &conn), want);
  CHECK(conn == 0x5555);
  CHECK_ERRNO(__wasi_sock_recv(fd, &iov, 1, 0, &n, &flags), want);
  CHECK_ERRNO(__wasi_sock_send(fd, &ciov, 1, 0, &n), want);
  CHECK_ERRNO(__wasi_sock_shutdown(fd, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR), want);
}

static void not_sockets(void) {
  for (__wasi_fd_t fd = 0; fd <= 3; fd++) sock_calls_fail(fd, __WASI_ERRNO_NOTSOCK);
  int f = open("/sandbox/file.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
  CHECK(f >= 0);
  sock_calls_fail((__wasi_fd_t)f, __WASI_ERRNO_NOTSOCK);
  CHECK(close(f) == 0);
  /* Once closed, the same number is not a file any more: EBADF. */
  sock_calls_fail((__wasi_fd_t)f, __WASI_ERRNO_BADF);
  CHECK(unlink("/sandbox/file.txt") == 0);
  sock_calls_fail(99, __WASI_ERRNO_BADF);
  sock_calls_fail(0xffffffffu, __WASI_ERRNO_BADF);
  OK("sock_* on stdio, a directory or a file gives ENOTSOCK; on a bad fd EBADF");
}

static __wasi_fd_t accept_one(__wasi_fdflags_t flags) {
  wait_ready(LISTENER, __WASI_EVENTTYPE_FD_READ);
  __wasi_fd_t conn = 0;
  CHECK_ERRNO(__wasi_sock_accept(LISTENER, flags, &conn), __WASI_ERRNO_SUCCESS);
  CHECK(conn > LISTENER);
  __wasi_fdstat_t st;
  CHECK_ERRNO(__wasi_fd_fdstat_get(conn, &st), __WASI_ERRNO_SUCCESS);
  CHECK(st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM);
  CHECK((st.fs_flags & __WASI_FDFLAGS_NONBLOCK) == (flags & __WASI_FDFLAGS_NONBLOCK));
  /* A connected socket is no preopen. */
  __wasi_prestat_t pre;
  CHECK_ERRNO(__wasi_fd_prestat_get(conn, &pre), __WASI_ERRNO_BADF);
  return conn;
}

static void conversation(void) {
  __wasi_fd_t conn = accept_one(0);
  OK("sock_accept");

  recv_exact(conn, HELLO);
  OK("sock_recv");
  send_all(conn, PONG_A, PONG_B);
  OK("sock_send");

  /* Shutting down our write side ends the host's read; we can still read
   * what the host sends back. */
  CHECK_ERRNO(__wasi_sock_shutdown(conn, __WASI_SDFLAGS_WR), __WASI_ERRNO_SUCCESS);
  /* Sending after that is a broken pipe, as send(2) reports. */
  __wasi_ciovec_t late = {(const uint8_t *)"late", 4};
  __wasi_size_t n = 0;
  CHECK_ERRNO(__wasi_sock_send(conn, &late, 1, 0, &n), __WASI_ERRNO_PIPE);
  recv_exact(conn, BYE);
  recv_eof(conn);
  OK("sock_shutdown of the write side");

  /* Flags outside RD|WR are not a way to shut down. */
  CHECK_ERRNO(__wasi_sock_shutdown(conn, 4), __WASI_ERRNO_INVAL);
  /* A connected socket does not accept. Without the accept right that is a
   * rights failure; with it, the answer is accept(2)'s EINVAL. */
  __wasi_fdstat_t st;
  CHECK_ERRNO(__wasi_fd_fdstat_get(conn, &st), __WASI_ERRNO_SUCCESS);
  __wasi_fd_t extra = 0x5555;
  CHECK_ERRNO(__wasi_sock_accept(conn, 0, &extra),
              (st.fs_rights_base & __WASI_RIGHTS_SOCK_ACCEPT) ? __WASI_ERRNO_INVAL
                                                              : __WASI_ERRNO_NOTCAPABLE);
  CHECK(extra == 0x5555);

  CHECK_ERRNO(__wasi_fd_close(conn), __WASI_ERRNO_SUCCESS);
  CHECK_ERRNO(__wasi_fd_close(conn), __WASI_ERRNO_BADF);
  sock_calls_fail(conn, __WASI_ERRNO_BADF);
  OK("closed connection");
}

static void nonblocking(void) {
  /* The second client sends nothing until it hears from us, so a
   * non-blocking receive finds nothing yet. */
  __wasi_fd_t conn = accept_one(__WASI_FDFLAGS_NONBLOCK);
  uint8_t b;
  __wasi_iovec_t iov = {&b, 1};
  __wasi_size_t n = 0;
  __wasi_roflags_t flags;
  CHECK_ERRNO(__wasi_sock_recv(conn, &iov, 1, 0, &n, &flags), __WASI_ERRNO_AGAIN);
  send_all(conn, "!", "");
  recv_eof(conn);
  CHECK_ERRNO(__wasi_fd_close(conn), __WASI_ERRNO_SUCCESS);
  OK("non-blocking accepted socket");

  /* A non-blocking listener with nobody waiting answers EAGAIN at once. */
  CHECK_ERRNO(__wasi_fd_fdstat_set_flags(LISTENER, __WASI_FDFLAGS_NONBLOCK),
              __WASI_ERRNO_SUCCESS);
  __wasi_fdstat_t st;
  CHECK_ERRNO(__wasi_fd_fdstat_get(LISTENER, &st), __WASI_ERRNO_SUCCESS);
  CHECK(st.fs_flags & __WASI_FDFLAGS_NONBLOCK);
  __wasi_fd_t none = 0x5555;
  CHECK_ERRNO(__wasi_sock_accept(LISTENER, 0, &none), __WASI_ERRNO_AGAIN);
  CHECK(none == 0x5555);
  OK("non-blocking listener with no client gives EAGAIN");
}

int main(void) {
  __wasi_fdstat_t st;
  CHECK_ERRNO(__wasi_fd_fdstat_get(LISTENER, &st), __WASI_ERRNO_SUCCESS);
  CHECK(st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM);
  /* wasi-libc stops its preopen scan at the first EBADF, so the listener
   * must answer fd_prestat_get with exactly that. */
  __wasi_prestat_t pre;
  CHECK_ERRNO(__wasi_fd_prestat_get(LISTENER, &pre), __WASI_ERRNO_BADF);
  /* Receiving on a listener: it has no peer (recv(2) gives ENOTCONN). */
  uint8_t b;
  __wasi_iovec_t iov = {&b, 1};
  __wasi_size_t n;
  __wasi_roflags_t flags;
  CHECK_ERRNO(__wasi_sock_recv(LISTENER, &iov, 1, 0, &n, &flags), __WASI_ERRNO_NOTCONN);
  OK("the listener is a socket");

  not_sockets();
  conversation();
  nonblocking();
  return 0;
}
