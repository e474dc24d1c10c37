/* clock_res_get and clock_time_get for every clock id: each answers with a
 * resolution between 1 ns and 1 s, realtime reads a plausible date, the
 * monotonic and CPU-time clocks never go backwards, the CPU-time clocks
 * advance while the program computes, the precision argument is only a hint,
 * and an unknown clock id is EINVAL, as clock_gettime(2) says. */
#include "spec.h"

#define SEC 1000000000ull

static const __wasi_clockid_t ids[] = {
    __WASI_CLOCKID_REALTIME, __WASI_CLOCKID_MONOTONIC,
    __WASI_CLOCKID_PROCESS_CPUTIME_ID, __WASI_CLOCKID_THREAD_CPUTIME_ID};

static __wasi_timestamp_t read_clock(__wasi_clockid_t id) {
  __wasi_timestamp_t t = 0;
  OK(__wasi_clock_time_get(id, 1, &t));
  return t;
}

static volatile uint64_t sink;

int main(void) {
  section("clock_res_get for every clock id");
  for (size_t i = 0; i < 4; i++) {
    __wasi_timestamp_t res = 0;
    EXPECT(OK(__wasi_clock_res_get(ids[i], &res)) && res >= 1 && res <= SEC);
  }

  section("clock_time_get for every clock id");
  for (size_t i = 0; i < 4; i++) {
    __wasi_timestamp_t t = 0;
    EXPECT(OK(__wasi_clock_time_get(ids[i], 0, &t)));
    /* Any precision is accepted, from "exact" to "whenever". */
    EXPECT(OK(__wasi_clock_time_get(ids[i], 1, &t)));
    EXPECT(OK(__wasi_clock_time_get(ids[i], 1000000, &t)));
    EXPECT(OK(__wasi_clock_time_get(ids[i], UINT64_MAX, &t)));
  }

  section("realtime");
  /* Between 2020-01-01 and 2200-01-01. */
  __wasi_timestamp_t now = read_clock(__WASI_CLOCKID_REALTIME);
  EXPECT(now > 1577836800ull * SEC && now < 7258118400ull * SEC);

  section("monotonic and CPU-time clocks never go backwards");
  for (size_t i = 1; i < 4; i++) {
    __wasi_timestamp_t last = read_clock(ids[i]);
    int backwards = 0;
    for (int k = 0; k < 10000; k++) {
      __wasi_timestamp_t t = read_clock(ids[i]);
      backwards += t < last;
      last = t;
    }
    EXPECT(backwards == 0);
  }

  section("CPU-time clocks advance with work");
  __wasi_timestamp_t p0 = read_clock(__WASI_CLOCKID_PROCESS_CPUTIME_ID);
  __wasi_timestamp_t t0 = read_clock(__WASI_CLOCKID_THREAD_CPUTIME_ID);
  __wasi_timestamp_t m0 = read_clock(__WASI_CLOCKID_MONOTONIC);
  /* Spin until the monotonic clock shows 20 ms of work. */
  uint64_t x = 1;
  while (read_clock(__WASI_CLOCKID_MONOTONIC) - m0 < 20000000ull)
    for (int k = 0; k < 10000; k++) x = x * 6364136223846793005ull + 1;
  sink = x;
  EXPECT(read_clock(__WASI_CLOCKID_PROCESS_CPUTIME_ID) > p0);
  EXPECT(read_clock(__WASI_CLOCKID_THREAD_CPUTIME_ID) > t0);
  EXPECT(read_clock(__WASI_CLOCKID_MONOTONIC) - m0 >= 20000000ull);

  section("unknown clock ids");
  __wasi_timestamp_t t = 12345;
  ERR(__wasi_clock_res_get(4, &t), INVAL);
  ERR(__wasi_clock_res_get(0xffffffff, &t), INVAL);
  ERR(__wasi_clock_time_get(4, 0, &t), INVAL);
  ERR(__wasi_clock_time_get(0xffffffff, 0, &t), INVAL);
  EXPECT(t == 12345);
  return finish();
}
