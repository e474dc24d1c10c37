// wasi:cli: prints what the host gave the command, then exits through
// wasi:cli/exit with the status named by its first argument ("ok" or
// "err"; ok when there is none). Output, one item per line:
//
//   arg VALUE          each argument, the program name first
//   env NAME=VALUE     each environment variable, in the host's order
//   cwd PATH | cwd none
//   terminal-stdin yes|no, terminal-stdout yes|no, terminal-stderr yes|no
#include "p2check.h"

static void out_string(const command_string_t *s) { out_bytes(s->ptr, s->len); }

static void terminal(const char *name, bool is_terminal) {
  out_str(name);
  out_str(is_terminal ? " yes\n" : " no\n");
}

bool exports_wasi_cli_run_run(void) {
  command_list_string_t args = get_args();
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
