/* proc_exit, proc_raise and sched_yield.
 *
 * Usage: misc_proc exit N        prints a line, then proc_exit(N)
 *        misc_proc return N      returns N from main (wasi-libc exits with it)
 *        misc_proc raise-fatal S proc_raise(S) must not return
 *        misc_proc raise-ignored S...  proc_raise(S) returns success, for each S
 *        misc_proc raise-invalid S...  proc_raise(S) returns EINVAL, for each S
 *        misc_proc yield         sched_yield, many times */
#include <sched.h>
#include <stdint.h>
#include <wasi/api.h>

#include "check.h"

/* wasi-libc no longer declares proc_raise, so import it by hand. */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")))
int32_t raw_proc_raise(int32_t sig);

int main(int argc, char **argv) {
  CHECK(argc >= 2);
  const char *mode = argv[1];
  long arg = argc >= 3 ? strtol(argv[2], NULL, 0) : 0;

  if (strcmp(mode, "exit") == 0) {
    printf("exiting with %ld\n", arg);
    /* The raw call skips wasi-libc's exit path, so flush by hand: the line
     * above must reach the host before the guest ends. */
    fflush(stdout);
    __wasi_proc_exit((__wasi_exitcode_t)arg);
  }
  if (strcmp(mode, "return") == 0) {
    printf("returning %ld\n", arg);
    return (int)arg;
  }
  if (strcmp(mode, "raise-fatal") == 0) {
    printf("raising %ld\n", arg);
    fflush(stdout);
    int32_t e = raw_proc_raise((int32_t)arg);
    printf("FAIL proc_raise(%ld) returned %d\n", arg, (int)e);
    return 3;
  }
  if (strcmp(mode, "raise-ignored") == 0) {
    for (int i = 2; i < argc; i++) {
      int32_t sig = (int32_t)strtol(argv[i], NULL, 0);
      /* Twice: an ignored signal leaves nothing behind that could change
       * the second answer. */
      CHECK_ERRNO(raw_proc_raise(sig), __WASI_ERRNO_SUCCESS);
      CHECK_ERRNO(raw_proc_raise(sig), __WASI_ERRNO_SUCCESS);
      printf("ok ignored %d\n", (int)sig);
    }
    return 0;
  }
  if (strcmp(mode, "raise-invalid") == 0) {
    for (int i = 2; i < argc; i++) {
      int32_t sig = (int32_t)strtol(argv[i], NULL, 0);
      CHECK_ERRNO(raw_proc_raise(sig), __WASI_ERRNO_INVAL);
      printf("ok invalid %d\n", (int)sig);
    }
    return 0;
  }
  if (strcmp(mode, "yield") == 0) {
    for (int i = 0; i < 1000; i++) CHECK_ERRNO(__wasi_sched_yield(), __WASI_ERRNO_SUCCESS);
    CHECK(sched_yield() == 0);
    OK("sched_yield");
    return 0;
  }
  printf("FAIL unknown mode %s\n", mode);
  return 2;
}
