/* poll_oneoff on clocks and on descriptors: relative and absolute clock
 * timeouts (never early), the earliest of several clocks, stdout and stderr
 * ready for writing, stdin ready or timing out (both happen, depending on
 * what the runner connects to it), regular files always ready, and the
 * errors for no subscriptions, an unknown event type, a closed descriptor
 * and an unknown clock. */
#include "spec.h"

#define MS 1000000ull
#define SEC 1000000000ull

static __wasi_subscription_t clock_sub(__wasi_userdata_t ud,
                                       __wasi_clockid_t id,
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

static __wasi_subscription_t fd_sub(__wasi_userdata_t ud, uint8_t type,
                                    __wasi_fd_t fd) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = type;
  s.u.u.fd_read.file_descriptor = fd;
  return s;
}

static __wasi_timestamp_t mono(void) {
  __wasi_timestamp_t t = 0;
  MUST(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t));
  return t;
}

static __wasi_event_t ev[8];

static __wasi_errno_t poll(const __wasi_subscription_t *subs, size_t n,
                           __wasi_size_t *count) {
  memset(ev, 0xCC, sizeof ev);
  *count = 0;
  return __wasi_poll_oneoff(subs, ev, n, count);
}

int main(void) {
  __wasi_fd_t top = test_dir("fs-tests.dir");
  __wasi_fd_t dir = scratch(top, "poll_oneoff.cleanup");
  __wasi_size_t count;
  __wasi_subscription_t subs[4];

  section("a relative clock");
  subs[0] = clock_sub(0x1111, __WASI_CLOCKID_MONOTONIC, 20 * MS, 0);
  __wasi_timestamp_t t0 = mono();
  EXPECT(OK(poll(subs, 1, &count)) && count == 1);
  EXPECT(mono() - t0 >= 20 * MS);
  EXPECT(ev[0].userdata == 0x1111 && ev[0].error == 0 &&
         ev[0].type == __WASI_EVENTTYPE_CLOCK);
  subs[0] = clock_sub(0x2222, __WASI_CLOCKID_REALTIME, 5 * MS, 0);
  t0 = mono();
  EXPECT(OK(poll(subs, 1, &count)) && count == 1 && ev[0].userdata == 0x2222);
  EXPECT(mono() - t0 >= 5 * MS);
  /* A zero timeout fires at once. */
  subs[0] = clock_sub(0x3333, __WASI_CLOCKID_MONOTONIC, 0, 0);
  EXPECT(OK(poll(subs, 1, &count)) && count == 1 && ev[0].userdata == 0x3333);

  section("an absolute clock");
  __wasi_timestamp_t deadline = mono() + 20 * MS;
  subs[0] = clock_sub(7, __WASI_CLOCKID_MONOTONIC, deadline,
                      __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
  EXPECT(OK(poll(subs, 1, &count)) && count == 1 && ev[0].userdata == 7);
  EXPECT(mono() >= deadline);
  /* A deadline in the past fires at once. */
  subs[0] = clock_sub(8, __WASI_CLOCKID_MONOTONIC, 1,
                      __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
  t0 = mono();
  EXPECT(OK(poll(subs, 1, &count)) && count == 1 && ev[0].userdata == 8);
  EXPECT(mono() - t0 < 5 * SEC);

  section("the earliest of several clocks");
  subs[0] = clock_sub(1, __WASI_CLOCKID_MONOTONIC, 30 * SEC, 0);
  subs[1] = clock_sub(2, __WASI_CLOCKID_MONOTONIC, 10 * MS, 0);
  subs[2] = clock_sub(3, __WASI_CLOCKID_REALTIME, 60 * SEC, 0);
  t0 = mono();
  EXPECT(OK(poll(subs, 3, &count)) && count == 1 && ev[0].userdata == 2);
  EXPECT(mono() - t0 < 20 * SEC);

  section("stdout and stderr are ready for writing");
  int out_ready = 0, err_ready = 0, timed_out = 0;
  for (int round = 0; round < 4 && !(out_ready && err_ready); round++) {
    size_t n = 0;
    if (!out_ready) subs[n++] = fd_sub(10, __WASI_EVENTTYPE_FD_WRITE, 1);
    if (!err_ready) subs[n++] = fd_sub(20, __WASI_EVENTTYPE_FD_WRITE, 2);
    subs[n++] = clock_sub(99, __WASI_CLOCKID_MONOTONIC, 5 * SEC, 0);
    if (!OK(poll(subs, n, &count))) break;
    for (size_t i = 0; i < count; i++) {
      if (ev[i].userdata == 99) timed_out = 1;
      if (ev[i].userdata == 10 || ev[i].userdata == 20) {
        EXPECT(ev[i].type == __WASI_EVENTTYPE_FD_WRITE && ev[i].error == 0);
        if (ev[i].userdata == 10) out_ready = 1;
        if (ev[i].userdata == 20) err_ready = 1;
      }
    }
  }
  EXPECT(out_ready && err_ready && !timed_out);

  section("stdin is ready or the clock fires");
  subs[0] = clock_sub(30, __WASI_CLOCKID_MONOTONIC, 50 * MS, 0);
  subs[1] = fd_sub(40, __WASI_EVENTTYPE_FD_READ, 0);
  EXPECT(OK(poll(subs, 2, &count)) && count >= 1 && count <= 2);
  for (size_t i = 0; i < count; i++) {
    EXPECT(ev[i].error == 0);
    EXPECT((ev[i].userdata == 30 && ev[i].type == __WASI_EVENTTYPE_CLOCK) ||
           (ev[i].userdata == 40 && ev[i].type == __WASI_EVENTTYPE_FD_READ));
  }

  section("regular files are always ready");
  MUST(put_file(dir, "file", "0123456789"));
  __wasi_fd_t file;
  MUST(__wasi_path_open(dir, NOFOLLOW, "file", 0,
                        __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
                            __WASI_RIGHTS_POLL_FD_READWRITE,
                        0, 0, &file));
  subs[0] = fd_sub(50, __WASI_EVENTTYPE_FD_READ, file);
  subs[1] = fd_sub(60, __WASI_EVENTTYPE_FD_WRITE, file);
  subs[2] = clock_sub(70, __WASI_CLOCKID_MONOTONIC, 30 * SEC, 0);
  t0 = mono();
  EXPECT(OK(poll(subs, 3, &count)) && count == 2);
  EXPECT(mono() - t0 < 20 * SEC);
  int seen_read = 0, seen_write = 0;
  for (size_t i = 0; i < count; i++) {
    EXPECT(ev[i].error == 0);
    if (ev[i].userdata == 50 && ev[i].type == __WASI_EVENTTYPE_FD_READ)
      seen_read = 1;
    if (ev[i].userdata == 60 && ev[i].type == __WASI_EVENTTYPE_FD_WRITE)
      seen_write = 1;
  }
  EXPECT(seen_read && seen_write);
  OK(__wasi_fd_close(file));

  section("poll_oneoff errors");
  /* No subscriptions: nothing could ever end the wait. */
  ERR(poll(subs, 0, &count), INVAL);
  /* An event type that does not exist. */
  subs[0] = clock_sub(80, __WASI_CLOCKID_MONOTONIC, 0, 0);
  subs[0].u.tag = 3;
  ERR(poll(subs, 1, &count), INVAL);
  /* A closed descriptor is reported in its event. */
  subs[0] = fd_sub(90, __WASI_EVENTTYPE_FD_READ, file);
  subs[1] = clock_sub(91, __WASI_CLOCKID_MONOTONIC, 30 * SEC, 0);
  EXPECT(OK(poll(subs, 2, &count)) && count == 1 && ev[0].userdata == 90 &&
         ev[0].error == __WASI_ERRNO_BADF &&
         ev[0].type == __WASI_EVENTTYPE_FD_READ);
  /* An unknown clock is EINVAL, in its event or for the whole call. */
  subs[0] = clock_sub(92, 77, 0, 0);
  __wasi_errno_t e = poll(subs, 1, &count);
  EXPECT(e == __WASI_ERRNO_INVAL ||
         (e == 0 && count == 1 && ev[0].userdata == 92 &&
          ev[0].error == __WASI_ERRNO_INVAL));

  drop_scratch(top, "poll_oneoff.cleanup", dir);
  return finish();
}
