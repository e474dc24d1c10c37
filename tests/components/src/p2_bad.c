// Bad input through the canonical ABI: each mode makes one call that must
// trap, never return and never bring the host down. The argument names
// the mode; a mode that returns prints a FAIL line and exits with err.
//
//   forged-borrow      a pollable handle the guest was never given
//   double-drop        dropping stdout's stream twice
//   borrow-after-drop  using stdout's stream after dropping it
//   wrong-type         an input stream's handle passed as a pollable
//   bad-utf8           a path that is not UTF-8 (needs the preopen /sandbox)
//   huge-random        2^40 random bytes in one call
//   list-past-memory   a write whose list runs past the end of memory
//   list-overflow      a poll whose list's byte length overflows 32 bits
//   bad-discriminant   an advice whose case the WIT does not have
//   bad-flags          path-flags with a bit the WIT does not define, which
//                      the canonical ABI ignores: the call must not trap,
//                      and this mode prints its outcome and returns ok
//   realloc-out-of-bounds, realloc-misaligned, realloc-traps,
//   realloc-reenters   the guest's cabi_realloc misbehaving when the host
//                      asks it for room for a result (the last calls the
//                      host back, which the canonical ABI forbids)
#include <stdlib.h>

#include "p2check.h"

// How cabi_realloc behaves: 0 as it should, then each misbehaviour. It
// behaves until the arguments are read.
enum {
  REALLOC_OK,
  REALLOC_OUT_OF_BOUNDS,
  REALLOC_MISALIGNED,
  REALLOC_TRAPS,
  REALLOC_REENTERS
};
static int realloc_mode = REALLOC_OK;

// Replaces the bindings' weak allocator.
__attribute__((__export_name__("cabi_realloc")))
void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {
  (void)old_size;
  switch (realloc_mode) {
    case REALLOC_OUT_OF_BOUNDS:
      return (void *)0xfffffff0;
    case REALLOC_MISALIGNED:
      return (char *)malloc(new_size + align) + 1;
    case REALLOC_TRAPS:
      __builtin_trap();
    case REALLOC_REENTERS:
      wasi_clocks_monotonic_clock_now();
      break;
  }
  if (new_size == 0) return (void *)align;
  void *ret = realloc(ptr, new_size);
  if (!ret) abort();
  return ret;
}

static void forged_borrow(void) {
  wasi_io_poll_borrow_pollable_t forged = {12345};
  wasi_io_poll_method_pollable_ready(forged);
}

static void double_drop(void) {
  wasi_io_streams_own_output_stream_t out = wasi_cli_stdout_get_stdout();
  wasi_io_streams_output_stream_drop_own(out);
  wasi_io_streams_output_stream_drop_own(out);
}

static void borrow_after_drop(void) {
  wasi_io_streams_own_output_stream_t out = wasi_cli_stdout_get_stdout();
  wasi_io_streams_output_stream_drop_own(out);
  uint64_t budget;
  stream_error_t e;
  wasi_io_streams_method_output_stream_check_write(
      wasi_io_streams_borrow_output_stream(out), &budget, &e);
}

static void wrong_type(void) {
  wasi_io_streams_own_input_stream_t in = wasi_cli_stdin_get_stdin();
  wasi_io_poll_borrow_pollable_t as_pollable = {in.__handle};
  wasi_io_poll_method_pollable_ready(as_pollable);
}

static void bad_utf8(void) {
  wasi_filesystem_preopens_list_tuple2_own_descriptor_string_t dirs;
  wasi_filesystem_preopens_get_directories(&dirs);
  if (dirs.len == 0) p2_fail(__FILE__, __LINE__, "no preopen", NULL);
  uint8_t bytes[] = {'a', 0xff, 0xfe, 'b'};
  command_string_t path = {bytes, sizeof bytes};
  wasi_filesystem_types_own_descriptor_t fd;
  fs_code_t code;
  wasi_filesystem_types_method_descriptor_open_at(
      wasi_filesystem_types_borrow_descriptor(dirs.ptr[0].f0), 0, &path, 0,
      WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_READ, &fd, &code);
}

static void huge_random(void) {
  command_list_u8_t bytes;
  wasi_random_random_get_random_bytes(1ull << 40, &bytes);
}

static void list_past_memory(void) {
  static uint8_t start[1];
  command_list_u8_t list = {start, 0x7fffffff};
  stream_error_t e;
  wasi_io_streams_method_output_stream_write(p2_stdout(), &list, &e);
}

static void list_overflow(void) {
  static wasi_io_poll_borrow_pollable_t some[1];
  wasi_io_poll_list_borrow_pollable_t list = {some, 0x40000001};
  command_list_u32_t ready;
  wasi_io_poll_poll(&list, &ready);
}

static wasi_filesystem_types_borrow_descriptor_t sandbox_dir(void) {
  wasi_filesystem_preopens_list_tuple2_own_descriptor_string_t dirs;
  wasi_filesystem_preopens_get_directories(&dirs);
  if (dirs.len == 0) p2_fail(__FILE__, __LINE__, "no preopen", NULL);
  return wasi_filesystem_types_borrow_descriptor(dirs.ptr[0].f0);
}

static void bad_discriminant(void) {
  // The bindings pass an enum as it is, so a value past its last case
  // reaches the host.
  fs_code_t code;
  wasi_filesystem_types_method_descriptor_advise(sandbox_dir(), 0, 0, 17, &code);
}

static void bad_flags(void) {
  wasi_filesystem_types_borrow_descriptor_t dir = sandbox_dir();
  command_string_t path = {(uint8_t *)"x", 1};
  wasi_filesystem_types_descriptor_stat_t stat;
  fs_code_t code;
  if (wasi_filesystem_types_method_descriptor_stat_at(dir, 0x80, &path, &stat, &code))
    out_str("bad-flags: stat-at ok\n");
  else
    got_code("bad-flags: stat-at", code);
}

// A call whose result the host must allocate for: a list of 4-byte-aligned
// records, so that a misaligned pointer is wrong for it.
static void allocating_call(int mode) {
  realloc_mode = mode;
  command_list_tuple2_string_string_t env;
  wasi_cli_environment_get_environment(&env);
}

bool exports_wasi_cli_run_run(void) {
  command_list_string_t args = get_args();
  if (args.len != 2) p2_fail(__FILE__, __LINE__, "one argument: the mode", NULL);
  const command_string_t *mode = &args.ptr[1];
  if (str_eq(mode, "forged-borrow"))
    forged_borrow();
  else if (str_eq(mode, "double-drop"))
    double_drop();
  else if (str_eq(mode, "borrow-after-drop"))
    borrow_after_drop();
  else if (str_eq(mode, "wrong-type"))
    wrong_type();
  else if (str_eq(mode, "bad-utf8"))
    bad_utf8();
  else if (str_eq(mode, "huge-random"))
    huge_random();
  else if (str_eq(mode, "list-past-memory"))
    list_past_memory();
  else if (str_eq(mode, "list-overflow"))
    list_overflow();
  else if (str_eq(mode, "bad-discriminant"))
    bad_discriminant();
  else if (str_eq(mode, "bad-flags")) {
    bad_flags();
    return true;
  }
  else if (str_eq(mode, "realloc-out-of-bounds"))
    allocating_call(REALLOC_OUT_OF_BOUNDS);
  else if (str_eq(mode, "realloc-misaligned"))
    allocating_call(REALLOC_MISALIGNED);
  else if (str_eq(mode, "realloc-traps"))
    allocating_call(REALLOC_TRAPS);
  else if (str_eq(mode, "realloc-reenters"))
    allocating_call(REALLOC_REENTERS);
  else
    p2_fail(__FILE__, __LINE__, "unknown mode", NULL);
  p2_fail(__FILE__, __LINE__, "the call returned instead of trapping", NULL);
  return false;
}
