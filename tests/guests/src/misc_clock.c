/* clock_res_get and clock_time_get on every clock id.
 *
 * Usage: misc_clock              checks the host's real clocks
 *        misc_clock fixed W M R  checks clocks the host pinned: the wall clock
 *                                must read W and the monotonic clock M (ns),
 *                                both with resolution R
 *        misc_clock step S D     checks clocks the host made step: each clock
 *                                reads S first and D more on every read */
#include <stdint.h>
#include <time.h>
#include <wasi/api.h>

#include "check.h"

static const __wasi_clockid_t CLOCKS[] = {
    __WASI_CLOCKID_REALTIME,
    __WASI_CLOCKID_MONOTONIC,
    __WASI_CLOCKID_PROCESS_CPUTIME_ID,
    __WASI_CLOCKID_THREAD_CPUTIME_ID,
};
#define NCLOCKS (sizeof CLOCKS / sizeof CLOCKS[0])

static __wasi_timestamp_t now(__wasi_clockid_t id) {
  __wasi_timestamp_t t = 0;
  CHECK_ERRNO(__wasi_clock_time_get(id, 1, &t), __WASI_ERRNO_SUCCESS);
  return t;
}

/* 2020-01-01T00:00:00Z and 2200-01-01T00:00:00Z in ns: a wall clock outside
 * this range is not reading the time of day. */
#define Y2020 1577836800000000000ull
#define Y2200 7258118400000000000ull

static void every_clock_answers(void) {
  for (size_t i = 0; i < NCLOCKS; i++) {
    __wasi_timestamp_t res = 0;
    CHECK_ERRNO(__wasi_clock_res_get(CLOCKS[i], &res), __WASI_ERRNO_SUCCESS);
    /* A resolution of zero would claim infinite precision; coarser than a
     * second would make every timeout in the guest meaningless. */
    CHECK(res >= 1 && res <= 1000000000ull);

    /* The precision argument is a hint: any value is accepted. */
    static const __wasi_timestamp_t precisions[] = {0, 1, 1000000, UINT64_MAX};
    for (size_t p = 0; p < 4; p++) {
      __wasi_timestamp_t t = 0;
      CHECK_ERRNO(__wasi_clock_time_get(CLOCKS[i], precisions[p], &t),
                  __WASI_ERRNO_SUCCESS);
    }
  }
  OK("every clock id answers res_get and time_get");
}

static void invalid_ids(void) {
  static const __wasi_clockid_t bad[] = {4, 5, 100, 0x7fffffff, 0xffffffff};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    __wasi_timestamp_t t = 0x1234;
    CHECK_ERRNO(__wasi_clock_res_get(bad[i], &t), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_clock_time_get(bad[i], 1, &t), __WASI_ERRNO_INVAL);
    /* A failed call leaves the result slot alone. */
    CHECK(t == 0x1234);
  }
  OK("invalid clock ids give EINVAL");
}

static void real_clocks(void) {
  __wasi_timestamp_t wall = now(__WASI_CLOCKID_REALTIME);
  CHECK(wall > Y2020 && wall < Y2200);

  /* wasi-libc's time() and clock_gettime() read the same clock. */
  time_t secs = time(NULL);
  CHECK(secs >= (time_t)(wall / 1000000000ull) - 5);
  CHECK(secs <= (time_t)(wall / 1000000000ull) + 5);
  struct timespec ts;
  CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
  CHECK(clock_getres(CLOCK_REALTIME, &ts) == 0);
  OK("realtime reads the time of day");

  /* Monotonic and both CPU clocks never go backwards. */
  static const __wasi_clockid_t steady[] = {
      __WASI_CLOCKID_MONOTONIC,
      __WASI_CLOCKID_PROCESS_CPUTIME_ID,
      __WASI_CLOCKID_THREAD_CPUTIME_ID,
  };
  for (size_t c = 0; c < 3; c++) {
    __wasi_timestamp_t prev = now(steady[c]);
    for (int i = 0; i < 20000; i++) {
      __wasi_timestamp_t t = now(steady[c]);
      CHECK(t >= prev);
      prev = t;
    }
  }
  OK("monotonic and cpu clocks are non-decreasing");

  /* Spinning for 50 ms of monotonic time costs CPU time, which the process
   * clock must see. */
  __wasi_timestamp_t cpu0 = now(__WASI_CLOCKID_PROCESS_CPUTIME_ID);
  __wasi_timestamp_t start = now(__WASI_CLOCKID_MONOTONIC);
  static volatile uint64_t sink;
  while (now(__WASI_CLOCKID_MONOTONIC) - start < 50000000ull) {
    for (int i = 0; i < 10000; i++) sink = sink + (uint64_t)i;
  }
  CHECK(now(__WASI_CLOCKID_PROCESS_CPUTIME_ID) > cpu0);
  OK("process cpu clock advances while spinning");

  /* Sleeping through wasi-libc (poll_oneoff underneath) moves monotonic
   * time forward by at least the requested amount. */
  __wasi_timestamp_t before = now(__WASI_CLOCKID_MONOTONIC);
  struct timespec req = {0, 20000000};
  CHECK(nanosleep(&req, NULL) == 0);
  CHECK(now(__WASI_CLOCKID_MONOTONIC) - before >= 20000000ull);
  OK("monotonic clock advances across a sleep");
}

static void fixed_clocks(uint64_t wall, uint64_t mono, uint64_t res) {
  __wasi_timestamp_t r = 0;
  CHECK_ERRNO(__wasi_clock_res_get(__WASI_CLOCKID_REALTIME, &r), 0);
  CHECK(r == res);
  CHECK_ERRNO(__wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, &r), 0);
  CHECK(r == res);
  for (int i = 0; i < 100; i++) {
    CHECK(now(__WASI_CLOCKID_REALTIME) == wall);
    CHECK(now(__WASI_CLOCKID_MONOTONIC) == mono);
  }
  /* wasi-libc's view follows the host's clock too. */
  struct timespec ts;
  CHECK(clock_gettime(CLOCK_REALTIME, &ts) == 0);
  CHECK((uint64_t)ts.tv_sec == wall / 1000000000ull);
  CHECK((uint64_t)ts.tv_nsec == wall % 1000000000ull);
  OK("host-pinned clocks are what the guest reads");
}

/* Runs first, before anything else reads a clock, so that the readings it
 * sees are the clocks' first. */
static void stepping_clocks(uint64_t start, uint64_t step) {
  for (uint64_t i = 0; i < 5; i++) CHECK(now(__WASI_CLOCKID_REALTIME) == start + i * step);
  for (uint64_t i = 0; i < 5; i++) CHECK(now(__WASI_CLOCKID_MONOTONIC) == start + i * step);
  OK("host-stepped clocks advance one step per read");
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "step") == 0) {
    stepping_clocks(strtoull(argv[2], NULL, 10), strtoull(argv[3], NULL, 10));
    every_clock_answers();
    invalid_ids();
  } else if (argc == 5 && strcmp(argv[1], "fixed") == 0) {
    every_clock_answers();
    invalid_ids();
    fixed_clocks(strtoull(argv[2], NULL, 10), strtoull(argv[3], NULL, 10),
                 strtoull(argv[4], NULL, 10));
  } else {
    CHECK(argc == 1);
    every_clock_answers();
    invalid_ids();
    real_clocks();
  }
  return 0;
}
