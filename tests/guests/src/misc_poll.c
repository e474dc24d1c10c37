/* poll_oneoff: clocks (relative and absolute), several subscriptions at
 * once, readiness of stdin, stdout and regular files, and errors.
 *
 * Expects: a writable preopen "/sandbox", and stdin holding exactly
 * STDIN_BYTES. With the argument "sleep-an-hour", only sleeps an hour. */
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

#define STDIN_BYTES "bytes the host put on stdin\n"
#define MS 1000000ull
#define SEC 1000000000ull

static __wasi_timestamp_t mono(void) {
  __wasi_timestamp_t t = 0;
  CHECK_ERRNO(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t), 0);
  return t;
}

static __wasi_subscription_t clock_sub(__wasi_userdata_t ud, __wasi_clockid_t id,
                                       __wasi_timestamp_t timeout,
                                       __wasi_subclockflags_t flags) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = __WASI_EVENTTYPE_CLOCK;
  s.u.u.clock.id = id;
  s.u.u.clock.timeout = timeout;
  s.u.u.clock.precision = 0;
  s.u.u.clock.flags = flags;
  return s;
}

static __wasi_subscription_t fd_sub(__wasi_userdata_t ud, uint8_t type, __wasi_fd_t fd) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = type;
  s.u.u.fd_read.file_descriptor = fd;
  return s;
}

/* Runs poll_oneoff over `n` subscriptions, checks it succeeded, and returns
 * the number of events. Unused event slots are poisoned first so a host that
 * reports more events than it wrote is caught. */
static __wasi_size_t poll(const __wasi_subscription_t *in, __wasi_event_t *out,
                          __wasi_size_t n) {
  memset(out, 0xee, n * sizeof *out);
  __wasi_size_t nevents = 0xdeadbeef;
  CHECK_ERRNO(__wasi_poll_oneoff(in, out, n, &nevents), __WASI_ERRNO_SUCCESS);
  CHECK(nevents >= 1 && nevents <= n);
  for (__wasi_size_t i = 0; i < nevents; i++) {
    /* Every event names a subscription that was asked for, with its type. */
    int found = 0;
    for (__wasi_size_t j = 0; j < n; j++)
      if (in[j].userdata == out[i].userdata && in[j].u.tag == out[i].type) found = 1;
    CHECK(found);
  }
  return nevents;
}

/* The event for `ud` among the first `nevents`, or NULL. */
static const __wasi_event_t *find(const __wasi_event_t *ev, __wasi_size_t nevents,
                                  __wasi_userdata_t ud) {
  for (__wasi_size_t i = 0; i < nevents; i++)
    if (ev[i].userdata == ud) return &ev[i];
  return NULL;
}

static void no_subscriptions(void) {
  __wasi_subscription_t in[1];
  __wasi_event_t out[1];
  __wasi_size_t nevents = 0x1234;
  memset(in, 0, sizeof in);
  CHECK_ERRNO(__wasi_poll_oneoff(in, out, 0, &nevents), __WASI_ERRNO_INVAL);
  OK("nsubscriptions 0 gives EINVAL");
}

static void relative_timeout(void) {
  /* The userdata is an opaque 64-bit value, returned bit for bit. */
  const __wasi_userdata_t ud = 0xfedcba9876543210ull;
  __wasi_subscription_t in[1] = {clock_sub(ud, __WASI_CLOCKID_MONOTONIC, 30 * MS, 0)};
  __wasi_event_t out[1];
  __wasi_timestamp_t t0 = mono();
  CHECK(poll(in, out, 1) == 1);
  __wasi_timestamp_t waited = mono() - t0;
  CHECK(waited >= 30 * MS);
  CHECK(waited < 10 * SEC);
  CHECK(out[0].userdata == ud);
  CHECK(out[0].error == __WASI_ERRNO_SUCCESS);
  CHECK(out[0].type == __WASI_EVENTTYPE_CLOCK);

  /* A relative timeout on the wall clock sleeps too. */
  in[0] = clock_sub(7, __WASI_CLOCKID_REALTIME, 20 * MS, 0);
  t0 = mono();
  CHECK(poll(in, out, 1) == 1);
  CHECK(mono() - t0 >= 20 * MS);
  CHECK(out[0].error == __WASI_ERRNO_SUCCESS);

  /* A zero timeout is an immediate wakeup. */
  in[0] = clock_sub(8, __WASI_CLOCKID_MONOTONIC, 0, 0);
  t0 = mono();
  CHECK(poll(in, out, 1) == 1);
  CHECK(mono() - t0 < 5 * SEC);
  OK("relative clock timeouts sleep at least the timeout");
}

static void absolute_timeout(void) {
  __wasi_subscription_t in[1];
  __wasi_event_t out[1];

  /* A deadline in the past fires at once, on either clock. */
  in[0] = clock_sub(1, __WASI_CLOCKID_MONOTONIC, 1,
                    __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
  __wasi_timestamp_t t0 = mono();
  CHECK(poll(in, out, 1) == 1);
  CHECK(mono() - t0 < 5 * SEC);
  CHECK(out[0].userdata == 1 && out[0].error == __WASI_ERRNO_SUCCESS);

  __wasi_timestamp_t wall = 0;
  CHECK_ERRNO(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &wall), 0);
  in[0] = clock_sub(2, __WASI_CLOCKID_REALTIME, wall - 3600 * SEC,
                    __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
  t0 = mono();
  CHECK(poll(in, out, 1) == 1);
  CHECK(mono() - t0 < 5 * SEC);
  CHECK(out[0].userdata == 2 && out[0].error == __WASI_ERRNO_SUCCESS);

  /* A deadline 30 ms ahead waits until then. */
  t0 = mono();
  in[0] = clock_sub(3, __WASI_CLOCKID_MONOTONIC, t0 + 30 * MS,
                    __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
  CHECK(poll(in, out, 1) == 1);
  CHECK(mono() >= t0 + 30 * MS);
  CHECK(out[0].userdata == 3 && out[0].error == __WASI_ERRNO_SUCCESS);
  OK("absolute clock deadlines");
}

static void several_clocks(void) {
  /* Only the earliest of several timers is due when poll returns. */
  __wasi_timestamp_t t0 = mono();
  __wasi_subscription_t in[4] = {
      clock_sub(10, __WASI_CLOCKID_MONOTONIC, 3600 * SEC, 0),
      clock_sub(11, __WASI_CLOCKID_MONOTONIC, 20 * MS, 0),
      clock_sub(12, __WASI_CLOCKID_MONOTONIC, t0 + 3600 * SEC,
                __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME),
      clock_sub(13, __WASI_CLOCKID_REALTIME, 3600 * SEC, 0),
  };
  __wasi_event_t out[4];
  __wasi_size_t n = poll(in, out, 4);
  CHECK(mono() - t0 >= 20 * MS);
  CHECK(mono() - t0 < 60 * SEC);
  CHECK(n == 1);
  CHECK(out[0].userdata == 11);
  OK("several clocks: the earliest fires alone");

  /* Two timers that are both already due are both reported. */
  __wasi_subscription_t due[2] = {
      clock_sub(20, __WASI_CLOCKID_MONOTONIC, 0, 0),
      clock_sub(21, __WASI_CLOCKID_MONOTONIC, 1,
                __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME),
  };
  __wasi_event_t dout[2];
  CHECK(poll(due, dout, 2) == 2);
  CHECK(find(dout, 2, 20) && find(dout, 2, 21));
  OK("several clocks already due are all reported");
}

static void stdout_writable(void) {
  __wasi_subscription_t in[2] = {
      clock_sub(1, __WASI_CLOCKID_MONOTONIC, 3600 * SEC, 0),
      fd_sub(2, __WASI_EVENTTYPE_FD_WRITE, 1),
  };
  __wasi_event_t out[2];
  __wasi_timestamp_t t0 = mono();
  __wasi_size_t n = poll(in, out, 2);
  CHECK(mono() - t0 < 60 * SEC);
  const __wasi_event_t *ev = find(out, n, 2);
  CHECK(ev != NULL);
  CHECK(ev->error == __WASI_ERRNO_SUCCESS);
  CHECK(ev->type == __WASI_EVENTTYPE_FD_WRITE);
  CHECK(find(out, n, 1) == NULL);
  OK("stdout is ready for writing");
}

static void stdin_readable(void) {
  __wasi_subscription_t in[2] = {
      clock_sub(1, __WASI_CLOCKID_MONOTONIC, 3600 * SEC, 0),
      fd_sub(2, __WASI_EVENTTYPE_FD_READ, 0),
  };
  __wasi_event_t out[2];
  __wasi_size_t n = poll(in, out, 2);
  const __wasi_event_t *ev = find(out, n, 2);
  CHECK(ev != NULL);
  CHECK(ev->error == __WASI_ERRNO_SUCCESS);
  CHECK(ev->type == __WASI_EVENTTYPE_FD_READ);
  CHECK(find(out, n, 1) == NULL);

  /* Readiness was not a false alarm: the host's bytes are there. */
  char buf[sizeof STDIN_BYTES + 16];
  size_t got = 0;
  for (;;) {
    ssize_t r = read(0, buf + got, sizeof buf - got);
    CHECK(r >= 0);
    if (r == 0) break;
    got += (size_t)r;
    CHECK(got < sizeof buf);
  }
  CHECK(got == strlen(STDIN_BYTES));
  CHECK(memcmp(buf, STDIN_BYTES, got) == 0);

  /* At end of input a read would not block (it returns 0), so stdin still
   * polls as readable, as poll(2) reports POLLIN/POLLHUP at EOF. */
  n = poll(in, out, 2);
  ev = find(out, n, 2);
  CHECK(ev != NULL);
  CHECK(ev->error == __WASI_ERRNO_SUCCESS);
  OK("stdin is readable when the host supplied bytes, and at EOF");
}

static void file_always_ready(void) {
  int fd = open("/sandbox/poll.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0);
  CHECK(write(fd, "0123456789", 10) == 10);
  CHECK(lseek(fd, 0, SEEK_SET) == 0);

  __wasi_subscription_t in[3] = {
      clock_sub(1, __WASI_CLOCKID_MONOTONIC, 3600 * SEC, 0),
      fd_sub(2, __WASI_EVENTTYPE_FD_READ, (__wasi_fd_t)fd),
      fd_sub(3, __WASI_EVENTTYPE_FD_WRITE, (__wasi_fd_t)fd),
  };
  __wasi_event_t out[3];
  __wasi_timestamp_t t0 = mono();
  __wasi_size_t n = poll(in, out, 3);
  CHECK(mono() - t0 < 60 * SEC);
  /* Regular files never block, so both fd events are reported at once. */
  CHECK(n == 2);
  const __wasi_event_t *r = find(out, n, 2);
  const __wasi_event_t *w = find(out, n, 3);
  CHECK(r && w);
  CHECK(r->error == __WASI_ERRNO_SUCCESS && r->type == __WASI_EVENTTYPE_FD_READ);
  CHECK(w->error == __WASI_ERRNO_SUCCESS && w->type == __WASI_EVENTTYPE_FD_WRITE);

  /* Even at end of file, a read does not block. */
  CHECK(lseek(fd, 0, SEEK_END) == 10);
  __wasi_subscription_t rin[2] = {in[0], in[1]};
  n = poll(rin, out, 2);
  r = find(out, n, 2);
  CHECK(r && r->error == __WASI_ERRNO_SUCCESS);
  CHECK(close(fd) == 0);
  CHECK(unlink("/sandbox/poll.txt") == 0);
  OK("a regular file is always ready");
}

static void bad_fd_in_event(void) {
  /* An fd that names nothing: poll itself succeeds and the failure is the
   * event's error, so the other subscriptions are still served. */
  int fd = open("/sandbox/closed.txt", O_WRONLY | O_CREAT, 0644);
  CHECK(fd >= 0);
  CHECK(close(fd) == 0);
  __wasi_subscription_t in[4] = {
      clock_sub(1, __WASI_CLOCKID_MONOTONIC, 3600 * SEC, 0),
      fd_sub(2, __WASI_EVENTTYPE_FD_READ, 1234),
      fd_sub(3, __WASI_EVENTTYPE_FD_WRITE, (__wasi_fd_t)fd),
      fd_sub(4, __WASI_EVENTTYPE_FD_READ, 0xffffffffu),
  };
  __wasi_event_t out[4];
  __wasi_timestamp_t t0 = mono();
  __wasi_size_t n = poll(in, out, 4);
  CHECK(mono() - t0 < 60 * SEC);
  CHECK(n == 3);
  for (__wasi_userdata_t ud = 2; ud <= 4; ud++) {
    const __wasi_event_t *ev = find(out, n, ud);
    CHECK(ev != NULL);
    CHECK_ERRNO(ev->error, __WASI_ERRNO_BADF);
  }
  CHECK(unlink("/sandbox/closed.txt") == 0);
  OK("a bad fd is reported as EBADF in its event");
}

static void bad_subscription(void) {
  /* An event type that does not exist is rejected as a whole. */
  __wasi_subscription_t in[1] = {clock_sub(1, __WASI_CLOCKID_MONOTONIC, 0, 0)};
  in[0].u.tag = 3;
  __wasi_event_t out[1];
  __wasi_size_t nevents = 0;
  CHECK_ERRNO(__wasi_poll_oneoff(in, out, 1, &nevents), __WASI_ERRNO_INVAL);

  /* A clock id that does not exist: EINVAL, either for the call or in the
   * clock's event (the witx leaves the choice open). */
  in[0] = clock_sub(5, 99, 0, 0);
  memset(out, 0, sizeof out);
  __wasi_errno_t e = __wasi_poll_oneoff(in, out, 1, &nevents);
  if (e == __WASI_ERRNO_SUCCESS) {
    CHECK(nevents == 1 && out[0].userdata == 5);
    CHECK_ERRNO(out[0].error, __WASI_ERRNO_INVAL);
  } else {
    CHECK_ERRNO(e, __WASI_ERRNO_INVAL);
  }
  OK("invalid subscriptions give EINVAL");
}

/* Sleeps an hour by the context's monotonic clock: with a clock the host
 * made fast, that takes far less than an hour of real time. */
static void sleep_an_hour(void) {
  __wasi_timestamp_t before = mono();
  CHECK(sleep(3600) == 0);
  CHECK(mono() - before >= 3600 * SEC);
  OK("slept an hour by the context's clock");
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "sleep-an-hour") == 0) {
    sleep_an_hour();
    return 0;
  }
  no_subscriptions();
  relative_timeout();
  absolute_timeout();
  several_clocks();
  stdout_writable();
  stdin_readable();
  file_always_ready();
  bad_fd_in_event();
  bad_subscription();
  return 0;
}
