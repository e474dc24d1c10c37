/* A tiny assertion kit for self-checking guests. A failed check prints what
 * failed, where, and errno, then exits 1 so the host test fails with it. */
#ifndef CAPWASI_CHECK_H
#define CAPWASI_CHECK_H
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                          \
  do {                                                                       \
    if (!(cond)) {                                                           \
      printf("FAIL %s:%d: %s (errno %d: %s)\n", __FILE__, __LINE__, #cond,  \
             errno, strerror(errno));                                        \
      exit(1);                                                               \
    }                                                                        \
  } while (0)

/* Checks that a raw __wasi_* call returned `want`. */
#define CHECK_ERRNO(call, want)                                              \
  do {                                                                       \
    int got_ = (int)(call);                                                  \
    if (got_ != (int)(want)) {                                               \
      printf("FAIL %s:%d: %s returned %d, want %d (%s)\n", __FILE__,         \
             __LINE__, #call, got_, (int)(want), #want);                     \
      exit(1);                                                               \
    }                                                                        \
  } while (0)

#define OK(name) printf("ok %s\n", name)
#endif
