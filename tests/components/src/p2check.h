// A small assertion kit for the self-checking wasi 0.2 guests, the
// counterpart of tests/guests/src/check.h. Output goes through
// wasi:cli/stdout alone (no stdio, hence no preview1).
//
// A guest prints "ok NAME" for every check group that passed and, where the
// WIT leaves a host a choice, "got WHAT VALUE" to record the choice made. The
// first failed check prints "FAIL file:line: what" and exits with status err.
#ifndef CAPWASI_P2CHECK_H
#define CAPWASI_P2CHECK_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"

// A component-model string for a C string; valid for the enclosing block.
#define STR(s) (&(command_string_t){(uint8_t *)(s), strlen(s)})

typedef wasi_filesystem_types_error_code_t fs_code_t;
typedef wasi_io_streams_stream_error_t stream_error_t;

static inline _Noreturn void p2_exit(bool ok) {
  wasi_cli_exit_result_void_void_t status = {.is_err = !ok};
  wasi_cli_exit_exit(&status);
  abort();  // exit never returns
}

static wasi_io_streams_own_output_stream_t p2_stdout_handle;
static bool p2_stdout_open;

static inline wasi_io_streams_borrow_output_stream_t p2_stdout(void) {
  if (!p2_stdout_open) {
    p2_stdout_handle = wasi_cli_stdout_get_stdout();
    p2_stdout_open = true;
  }
  return wasi_io_streams_borrow_output_stream(p2_stdout_handle);
}

// Writes bytes to stdout, 4096 at a time (the most blocking-write-and-flush
// accepts). Gives up silently on error: there is nowhere left to report it.
static inline void out_bytes(const void *p, size_t len) {
  const uint8_t *b = p;
  while (len > 0) {
    size_t n = len < 4096 ? len : 4096;
    command_list_u8_t list = {(uint8_t *)b, n};
    stream_error_t e;
    if (!wasi_io_streams_method_output_stream_blocking_write_and_flush(p2_stdout(), &list, &e)) {
      if (e.tag == WASI_IO_STREAMS_STREAM_ERROR_LAST_OPERATION_FAILED)
        wasi_io_error_error_drop_own(e.val.last_operation_failed);
      p2_exit(false);
    }
    b += n;
    len -= n;
  }
}

static inline void out_str(const char *s) { out_bytes(s, strlen(s)); }

static inline void out_u64(uint64_t v) {
  char buf[24];
  size_t i = sizeof buf;
  do {
    buf[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  out_bytes(buf + i, sizeof buf - i);
}

static inline void OK(const char *name) {
  out_str("ok ");
  out_str(name);
  out_str("\n");
}

static inline _Noreturn void p2_fail(const char *file, int line, const char *what,
                                     const char *detail) {
  out_str("FAIL ");
  out_str(file);
  out_str(":");
  out_u64((uint64_t)line);
  out_str(": ");
  out_str(what);
  if (detail != NULL) {
    out_str(" (");
    out_str(detail);
    out_str(")");
  }
  out_str("\n");
  p2_exit(false);
}

#define CHECK(cond)                                                  \
  do {                                                               \
    if (!(cond)) p2_fail(__FILE__, __LINE__, #cond, NULL);           \
  } while (0)

static inline const char *fs_code_name(fs_code_t c) {
  static const char *const names[] = {
      "access", "would-block", "already", "bad-descriptor", "busy", "deadlock",
      "quota", "exist", "file-too-large", "illegal-byte-sequence",
      "in-progress", "interrupted", "invalid", "io", "is-directory", "loop",
      "too-many-links", "message-size", "name-too-long", "no-device",
      "no-entry", "no-lock", "insufficient-memory", "insufficient-space",
      "not-directory", "not-empty", "not-recoverable", "unsupported",
      "no-tty", "no-such-device", "overflow", "not-permitted", "pipe",
      "read-only", "invalid-seek", "text-file-busy", "cross-device"};
  return c < sizeof names / sizeof names[0] ? names[c] : "?";
}

// The error code of the last failed filesystem call; every call in the
// guests passes &ec as its error out-parameter.
static __attribute__((unused)) fs_code_t ec;

// `call` (returning bool, writing &ec on failure) must succeed.
#define FS_OK(call)                                                            \
  do {                                                                         \
    if (!(call)) p2_fail(__FILE__, __LINE__, #call, fs_code_name(ec));         \
  } while (0)

// `call` must fail with error code `want`.
#define FS_ERR(call, want)                                                     \
  do {                                                                         \
    if (call) p2_fail(__FILE__, __LINE__, #call, "succeeded, want " #want);    \
    if (ec != (want)) p2_fail(__FILE__, __LINE__, #call, fs_code_name(ec));    \
  } while (0)

// Prints "got WHAT CODE".
static inline void got_code(const char *what, fs_code_t c) {
  out_str("got ");
  out_str(what);
  out_str(" ");
  out_str(fs_code_name(c));
  out_str("\n");
}

// Stream errors: a name for messages; last-operation-failed carries an error
// resource, which stream_error_drop releases.
static inline const char *stream_error_name(const stream_error_t *e) {
  return e->tag == WASI_IO_STREAMS_STREAM_ERROR_CLOSED ? "closed" : "last-operation-failed";
}

static inline void stream_error_drop(stream_error_t *e) {
  if (e->tag == WASI_IO_STREAMS_STREAM_ERROR_LAST_OPERATION_FAILED)
    wasi_io_error_error_drop_own(e->val.last_operation_failed);
}

static __attribute__((unused)) stream_error_t serr;

// A stream `call` (writing &serr on failure) must succeed.
#define ST_OK(call)                                                            \
  do {                                                                         \
    if (!(call)) p2_fail(__FILE__, __LINE__, #call, stream_error_name(&serr)); \
  } while (0)

// A stream `call` must fail with `closed`.
#define ST_CLOSED(call)                                                        \
  do {                                                                         \
    if (call) p2_fail(__FILE__, __LINE__, #call, "succeeded, want closed");    \
    if (serr.tag != WASI_IO_STREAMS_STREAM_ERROR_CLOSED) {                     \
      stream_error_drop(&serr);                                                \
      p2_fail(__FILE__, __LINE__, #call, "last-operation-failed, want closed"); \
    }                                                                          \
  } while (0)

// Pollable helpers.
typedef wasi_io_poll_own_pollable_t pollable_t;
static inline bool ready(pollable_t p) {
  return wasi_io_poll_method_pollable_ready(wasi_io_poll_borrow_pollable(p));
}
static inline void block(pollable_t p) {
  wasi_io_poll_method_pollable_block(wasi_io_poll_borrow_pollable(p));
}
static inline void pollable_drop(pollable_t p) { wasi_io_poll_pollable_drop_own(p); }

// The program's arguments; args.ptr[0] is its name.
static inline command_list_string_t get_args(void) {
  command_list_string_t args;
  wasi_cli_environment_get_arguments(&args);
  return args;
}

static inline bool str_eq(const command_string_t *s, const char *c) {
  return s->len == strlen(c) && memcmp(s->ptr, c, s->len) == 0;
}

static inline bool bytes_eq(const command_list_u8_t *l, const void *p, size_t len) {
  return l->len == len && (len == 0 || memcmp(l->ptr, p, len) == 0);
}
#endif
