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
#include "p2check.h"

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
  else
    p2_fail(__FILE__, __LINE__, "unknown mode", NULL);
  p2_fail(__FILE__, __LINE__, "the call returned instead of trapping", NULL);
  return false;
}
