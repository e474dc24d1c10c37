/* proc_exit with the status given as the first argument, called from deep
 * inside the program with output still buffered in libc: the buffered
 * output is flushed first (by the program, as exit(3) would), the status
 * reaches the runner unchanged, and nothing after the call runs. */
#include "spec.h"

static void leave(int depth, __wasi_exitcode_t code) {
  if (depth > 0) {
    leave(depth - 1, code);
    printf("returned from proc_exit\n");
    return;
  }
  printf("exiting with %u\n", (unsigned)code);
  fflush(stdout);
  __wasi_proc_exit(code);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    printf("usage: exit_code STATUS\n");
    return 2;
  }
  leave(50, (__wasi_exitcode_t)strtoul(argv[1], NULL, 10));
  printf("returned from proc_exit\n");
  return 3;
}
