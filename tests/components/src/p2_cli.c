// wasi:cli: prints what the host gave the command, then exits through
// wasi:cli/exit with the status named by its first argument ("ok" or
// "err"; ok when there is none). Output, one item per line:
//
//   arg VALUE          each argument, the program name first
//   env NAME=VALUE     each environment variable, in the host's order
//   cwd PATH | cwd none
//   terminal-stdin yes|no, terminal-stdout yes|no, terminal-stderr yes|no
//
// Two other first arguments print nothing of that:
//
//   code N    exits through exit-with-code with status N (0 to 255).
//   random    draws, in this order, 8 bytes from get-random-bytes, one
//             get-random-u64, 8 bytes from get-insecure-random-bytes, one
//             get-insecure-random-u64 and insecure-seed, and prints each in
//             hex (bytes in order, a u64 as 16 digits): "random-bytes HEX",
//             "random-u64 HEX", "insecure-bytes HEX", "insecure-u64 HEX",
//             "insecure-seed HEX HEX", then "insecure-seed-again same" if a
//             second insecure-seed gives the same pair, else "... different".
#include "p2check.h"

static void out_string(const command_string_t *s) { out_bytes(s->ptr, s->len); }

static void out_hex(const uint8_t *p, size_t len) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < len; i++) {
    char pair[2] = {digits[p[i] >> 4], digits[p[i] & 15]};
    out_bytes(pair, 2);
  }
}

static void out_hex_u64(uint64_t v) {
  uint8_t be[8];
  for (int i = 0; i < 8; i++) be[i] = (uint8_t)(v >> (56 - 8 * i));
  out_hex(be, 8);
}

static void out_list(const char *name, command_list_u8_t *bytes) {
  CHECK(bytes->len == 8);
  out_str(name);
  out_str(" ");
  out_hex(bytes->ptr, bytes->len);
  out_str("\n");
  command_list_u8_free(bytes);
}

static void out_named_u64(const char *name, uint64_t v) {
  out_str(name);
  out_str(" ");
  out_hex_u64(v);
  out_str("\n");
}

static void mode_random(void) {
  command_list_u8_t bytes;
  wasi_random_random_get_random_bytes(8, &bytes);
  out_list("random-bytes", &bytes);
  out_named_u64("random-u64", wasi_random_random_get_random_u64());
  wasi_random_insecure_get_insecure_random_bytes(8, &bytes);
  out_list("insecure-bytes", &bytes);
  out_named_u64("insecure-u64", wasi_random_insecure_get_insecure_random_u64());
  command_tuple2_u64_u64_t seed, again;
  wasi_random_insecure_seed_insecure_seed(&seed);
  out_str("insecure-seed ");
  out_hex_u64(seed.f0);
  out_str(" ");
  out_hex_u64(seed.f1);
  out_str("\n");
  wasi_random_insecure_seed_insecure_seed(&again);
  out_str(again.f0 == seed.f0 && again.f1 == seed.f1 ? "insecure-seed-again same\n"
                                                     : "insecure-seed-again different\n");
}

static unsigned parse_status(const command_string_t *s) {
  CHECK(s->len > 0 && s->len <= 3);
  unsigned v = 0;
  for (size_t i = 0; i < s->len; i++) {
    CHECK(s->ptr[i] >= '0' && s->ptr[i] <= '9');
    v = v * 10 + (unsigned)(s->ptr[i] - '0');
  }
  CHECK(v <= 255);
  return v;
}

static void terminal(const char *name, bool is_terminal) {
  out_str(name);
  out_str(is_terminal ? " yes\n" : " no\n");
}

bool exports_wasi_cli_run_run(void) {
  command_list_string_t args = get_args();
  if (args.len >= 2 && str_eq(&args.ptr[1], "random")) {
    mode_random();
    p2_exit(true);
  }
  if (args.len >= 3 && str_eq(&args.ptr[1], "code")) {
    wasi_cli_exit_exit_with_code((uint8_t)parse_status(&args.ptr[2]));
    abort();  // exit-with-code never returns
  }
  for (size_t i = 0; i < args.len; i++) {
    out_str("arg ");
    out_string(&args.ptr[i]);
    out_str("\n");
  }
  bool ok = true;
  if (args.len >= 2) {
    if (str_eq(&args.ptr[1], "err"))
      ok = false;
    else if (!str_eq(&args.ptr[1], "ok"))
      p2_fail(__FILE__, __LINE__, "the first argument must be ok or err", NULL);
  }
  command_list_string_free(&args);

  command_list_tuple2_string_string_t env;
  wasi_cli_environment_get_environment(&env);
  for (size_t i = 0; i < env.len; i++) {
    out_str("env ");
    out_string(&env.ptr[i].f0);
    out_str("=");
    out_string(&env.ptr[i].f1);
    out_str("\n");
  }
  command_list_tuple2_string_string_free(&env);

  command_string_t cwd;
  if (wasi_cli_environment_initial_cwd(&cwd)) {
    out_str("cwd ");
    out_string(&cwd);
    out_str("\n");
    command_string_free(&cwd);
  } else {
    out_str("cwd none\n");
  }

  wasi_cli_terminal_stdin_own_terminal_input_t tin;
  bool is = wasi_cli_terminal_stdin_get_terminal_stdin(&tin);
  if (is) wasi_cli_terminal_input_terminal_input_drop_own(tin);
  terminal("terminal-stdin", is);
  wasi_cli_terminal_stdout_own_terminal_output_t tout;
  is = wasi_cli_terminal_stdout_get_terminal_stdout(&tout);
  if (is) wasi_cli_terminal_output_terminal_output_drop_own(tout);
  terminal("terminal-stdout", is);
  is = wasi_cli_terminal_stderr_get_terminal_stderr(&tout);
  if (is) wasi_cli_terminal_output_terminal_output_drop_own(tout);
  terminal("terminal-stderr", is);

  p2_exit(ok);
}
