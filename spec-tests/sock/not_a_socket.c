/* The socket calls on descriptors that are not sockets, and on numbers that
 * are not open: sock_shutdown, sock_recv, sock_send and sock_accept answer
 * ENOTSOCK for a file, a directory and the standard streams, and EBADF for
 * a closed or never-opened number, as shutdown(2), recv(2), send(2) and
 * accept(2) do on Linux. Nothing is read from or written to the file. */
#include "spec.h"

static __wasi_errno_t try_recv(__wasi_fd_t fd) {
  char buf[8];
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  __wasi_size_t n = 0;
  __wasi_roflags_t flags = 0;
  return __wasi_sock_recv(fd, &iov, 1, 0, &n, &flags);
}

static __wasi_errno_t try_send(__wasi_fd_t fd) {
  __wasi_ciovec_t iov = {(const uint8_t *)"data", 4};
  __wasi_size_t n = 0;
  return __wasi_sock_send(fd, &iov, 1, 0, &n);
}

static __wasi_errno_t try_accept(__wasi_fd_t fd) {
  __wasi_fd_t conn;
  return __wasi_sock_accept(fd, 0, &conn);
}

int main(void) {
  __wasi_fd_t top = test_dir("fs-tests.dir");
  __wasi_fd_t dir = scratch(top, "not_a_socket.cleanup");
  MUST(put_file(dir, "file", "contents"));
  __wasi_fd_t file;
  MUST(__wasi_path_open(dir, NOFOLLOW, "file", 0, FILE_RIGHTS, 0, 0, &file));

  section("sock_shutdown on a non-socket");
  ERR(__wasi_sock_shutdown(file, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR),
      NOTSOCK);
  ERR(__wasi_sock_shutdown(file, __WASI_SDFLAGS_WR), NOTSOCK);
  ERR(__wasi_sock_shutdown(dir, __WASI_SDFLAGS_RD), NOTSOCK);
  ERR(__wasi_sock_shutdown(1, __WASI_SDFLAGS_WR), NOTSOCK);
  ERR(__wasi_sock_shutdown(0, __WASI_SDFLAGS_RD), NOTSOCK);

  section("sock_shutdown on an invalid descriptor");
  ERR(__wasi_sock_shutdown(0x7fffffff, __WASI_SDFLAGS_RD), BADF);
  __wasi_fd_t closed;
  MUST(__wasi_path_open(dir, NOFOLLOW, "file", 0, 0, 0, 0, &closed));
  MUST(__wasi_fd_close(closed));
  ERR(__wasi_sock_shutdown(closed, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR),
      BADF);

  section("sock_recv, sock_send and sock_accept on a non-socket");
  ERR(try_recv(file), NOTSOCK);
  ERR(try_send(file), NOTSOCK);
  ERR(try_accept(file), NOTSOCK);
  ERR(try_recv(dir), NOTSOCK);
  ERR(try_send(dir), NOTSOCK);
  ERR(try_accept(dir), NOTSOCK);
  ERR(try_send(1), NOTSOCK);
  ERR(try_accept(1), NOTSOCK);
  ERR(try_recv(closed), BADF);
  ERR(try_send(closed), BADF);
  ERR(try_accept(closed), BADF);
  /* The file was neither read nor written. */
  __wasi_filesize_t pos = 99;
  EXPECT(OK(__wasi_fd_tell(file, &pos)) && pos == 0);
  EXPECT(holds(dir, "file", "contents"));
  OK(__wasi_fd_close(file));

  drop_scratch(top, "not_a_socket.cleanup", dir);
  return finish();
}
