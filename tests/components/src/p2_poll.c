// wasi:io/poll over monotonic-clock pollables and stdout's pollable, plus
// the clocks themselves. No arguments, preopens or stdin needed.
//
// With the argument "trap-empty" it instead calls poll with an empty list,
// which the WIT says traps, and prints FAIL if the host returns.
#include "p2check.h"

#define MS 1000000ull
#define FAR (3600ull * 1000 * MS)  // an hour: never reached in a test

typedef wasi_io_poll_borrow_pollable_t bpoll_t;

static pollable_t after(uint64_t ns) { return wasi_clocks_monotonic_clock_subscribe_duration(ns); }
static pollable_t at(uint64_t instant) {
  return wasi_clocks_monotonic_clock_subscribe_instant(instant);
}
static uint64_t now(void) { return wasi_clocks_monotonic_clock_now(); }

// Polls ps[0..n) and returns the ready indices, sorted and checked to be in
// range and distinct.
static command_list_u32_t poll_list(const pollable_t *ps, size_t n) {
  bpoll_t *b = malloc(n * sizeof *b);
  CHECK(b != NULL);
  for (size_t i = 0; i < n; i++) b[i] = wasi_io_poll_borrow_pollable(ps[i]);
  wasi_io_poll_list_borrow_pollable_t list = {b, n};
  command_list_u32_t which;
  wasi_io_poll_poll(&list, &which);
  free(b);
  CHECK(which.len >= 1 && which.len <= n);
  for (size_t i = 1; i < which.len; i++) {  // insertion sort
    uint32_t v = which.ptr[i];
    size_t j = i;
    while (j > 0 && which.ptr[j - 1] > v) {
      which.ptr[j] = which.ptr[j - 1];
      j--;
    }
    which.ptr[j] = v;
  }
  for (size_t i = 0; i < which.len; i++) {
    CHECK(which.ptr[i] < n);
    CHECK(i == 0 || which.ptr[i] != which.ptr[i - 1]);
  }
  return which;
}

static bool contains(const command_list_u32_t *l, uint32_t v) {
  for (size_t i = 0; i < l->len; i++)
    if (l->ptr[i] == v) return true;
  return false;
}

static void test_clocks(void) {
  CHECK(wasi_clocks_monotonic_clock_resolution() > 0);
  uint64_t a = now(), b = now();
  CHECK(b >= a);
  wasi_clocks_wall_clock_datetime_t wall;
  wasi_clocks_wall_clock_now(&wall);
  CHECK(wall.seconds > 1600000000ull);  // after September 2020
  CHECK(wall.nanoseconds < 1000000000u);
  wasi_clocks_wall_clock_resolution(&wall);
  CHECK(wall.seconds > 0 || wall.nanoseconds > 0);
  OK("clocks");
}

// A deadline already passed may still answer ready() with false once: the
// reference host yields once first. Prints "got NAME-first-ready yes|no".
static void got_first_ready(const char *name, pollable_t p) {
  out_str("got ");
  out_str(name);
  out_str(ready(p) ? "-first-ready yes\n" : "-first-ready no\n");
}

static void test_single(void) {
  pollable_t zero = after(0);
  got_first_ready("duration-zero", zero);
  block(zero);
  CHECK(ready(zero));
  pollable_drop(zero);
  zero = after(0);
  command_list_u32_t which = poll_list(&zero, 1);
  CHECK(which.len == 1 && which.ptr[0] == 0);
  command_list_u32_free(&which);
  pollable_drop(zero);
  OK("duration-zero");

  uint64_t start = now();
  pollable_t p = after(50 * MS);
  block(p);
  CHECK(now() - start >= 50 * MS);
  CHECK(ready(p));
  pollable_drop(p);
  OK("duration-50ms");

  pollable_t past = at(0);
  got_first_ready("instant-zero", past);
  block(past);
  CHECK(ready(past));
  pollable_drop(past);
  past = at(now());
  block(past);
  CHECK(ready(past));
  pollable_drop(past);
  OK("instant-past");

  pollable_t future = at(now() + FAR);
  CHECK(!ready(future));
  pollable_drop(future);
  future = at(UINT64_MAX);
  CHECK(!ready(future));
  pollable_drop(future);
  future = after(UINT64_MAX);  // overflows the clock: still never ready
  CHECK(!ready(future));
  pollable_drop(future);
  OK("instant-future");
}

static void test_mixed(void) {
  wasi_io_streams_borrow_output_stream_t out = p2_stdout();
  pollable_t ps[5];
  ps[0] = at(now() + FAR);
  ps[1] = wasi_io_streams_method_output_stream_subscribe(out);
  ps[2] = after(0);
  ps[3] = at(0);
  ps[4] = after(FAR);
  // The clocks at 2 and 3 are ready already (block settles them, see
  // got_first_ready); stdout (1) may be too.
  block(ps[2]);
  block(ps[3]);
  command_list_u32_t which = poll_list(ps, 5);
  CHECK(contains(&which, 2) && contains(&which, 3));
  CHECK(!contains(&which, 0) && !contains(&which, 4));
  command_list_u32_free(&which);
  // Without the ready clocks, stdout is what wakes the poll.
  pollable_t rest[3] = {ps[0], ps[1], ps[4]};
  which = poll_list(rest, 3);
  CHECK(which.len == 1 && which.ptr[0] == 1);
  command_list_u32_free(&which);
  for (size_t i = 0; i < 5; i++) pollable_drop(ps[i]);
  OK("poll-mixed");

  // The earliest deadline wins.
  uint64_t start = now();
  pollable_t race[3] = {after(FAR), after(30 * MS), at(start + FAR)};
  which = poll_list(race, 3);
  CHECK(which.len == 1 && which.ptr[0] == 1);
  CHECK(now() - start >= 30 * MS);
  command_list_u32_free(&which);
  for (size_t i = 0; i < 3; i++) pollable_drop(race[i]);
  OK("poll-earliest");

  // The same pollable twice in one list: both indices are ready.
  pollable_t zero = after(0);
  pollable_t twice[2] = {zero, zero};
  which = poll_list(twice, 2);
  CHECK(which.len == 2);
  command_list_u32_free(&which);
  pollable_drop(zero);
  OK("poll-duplicate");
}

#define MANY 1000

static void test_many(void) {
  pollable_t *ps = malloc(MANY * sizeof *ps);
  CHECK(ps != NULL);
  uint64_t start = now();
  for (size_t i = 0; i < MANY; i++) ps[i] = i == 500 ? after(20 * MS) : after(FAR + i);
  command_list_u32_t which = poll_list(ps, MANY);
  CHECK(which.len == 1 && which.ptr[0] == 500);
  CHECK(now() - start >= 20 * MS);
  command_list_u32_free(&which);
  for (size_t i = 0; i < MANY; i++) pollable_drop(ps[i]);
  OK("poll-1000-one-ready");

  for (size_t i = 0; i < MANY; i++) ps[i] = after(0);
  which = poll_list(ps, MANY);
  out_str("got poll-1000-all-ready ");
  out_u64(which.len);
  out_str("\n");
  command_list_u32_free(&which);
  for (size_t i = 0; i < MANY; i++) pollable_drop(ps[i]);
  free(ps);
  OK("poll-1000-all-ready");
}

bool exports_wasi_cli_run_run(void) {
  command_list_string_t args = get_args();
  if (args.len >= 2 && str_eq(&args.ptr[1], "trap-empty")) {
    wasi_io_poll_list_borrow_pollable_t none = {NULL, 0};
    command_list_u32_t which;
    wasi_io_poll_poll(&none, &which);
    p2_fail(__FILE__, __LINE__, "poll of an empty list did not trap", NULL);
  }
  command_list_string_free(&args);
  test_clocks();
  test_single();
  test_mixed();
  test_many();
  OK("p2_poll");
  p2_exit(true);
}
