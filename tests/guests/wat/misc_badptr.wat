;; Guest pointers and lengths that leave linear memory.
;;
;; The module has exactly one 64 KiB page, so every address at or past
;; 0x10000 is out of bounds, and addresses near 0xffffffff test that the
;; host's bounds arithmetic cannot wrap. Every such call must return an
;; errno (EFAULT, or EINVAL where a count is absurd) rather than trap, panic,
;; hang or allocate what the guest asked for.
;;
;; Expects: stdin holding "0123456789", at least one environment variable,
;; and a preopen "/sandbox" at fd 3, which the guest must leave empty.
;; Exits 0 when every check passed, otherwise with the check's number.
(module
  (type $i32x2 (func (param i32 i32) (result i32)))
  (type $i32x3 (func (param i32 i32 i32) (result i32)))
  (type $i32x4 (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (type $i32x4)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (type $i32x4)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (type $i32x2)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (type $i32x2)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (type $i32x2)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (type $i32x2)))
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_res_get" (func $clock_res_get (type $i32x2)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (type $i32x2)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (type $i32x2)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fd_filestat_get (type $i32x2)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (type $i32x2)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (type $i32x3)))
  (import "wasi_snapshot_preview1" "fd_readdir"
    (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get"
    (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory"
    (func $path_create_directory (type $i32x3)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (type $i32x4)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))

  (memory (export "memory") 1 1)

  ;; Layout:
  ;;   0x080  result slots
  ;;   0x100  iovec { 0x200, 0 }           valid, empty
  ;;   0x108  iovec { 0xfff0, 0x20 }       buffer runs off the end
  ;;   0x110  iovec { 0xffffffff, 2 }      buffer wraps around 2^32
  ;;   0x118  iovec { 0x10000, 1 }         buffer starts at the end
  ;;   0x120  iovec { 0x200, 16 }          valid
  ;;   0x200  scratch buffer
  ;;   0x300  the path "."
  ;;   0x400  a clock subscription: userdata 1, monotonic, timeout 0
  ;;   0x500  event output
  ;;   0x1000 1025 iovecs, all zero: buffer 0, length 0 (memory starts zeroed)
  (data (i32.const 0x100) "\00\02\00\00\00\00\00\00")
  (data (i32.const 0x108) "\f0\ff\00\00\20\00\00\00")
  (data (i32.const 0x110) "\ff\ff\ff\ff\02\00\00\00")
  (data (i32.const 0x118) "\00\00\01\00\01\00\00\00")
  (data (i32.const 0x120) "\00\02\00\00\10\00\00\00")
  (data (i32.const 0x300) ".")
  (data (i32.const 0x400)
    "\01\00\00\00\00\00\00\00"   ;; userdata
    "\00\00\00\00\00\00\00\00"   ;; tag: clock
    "\01\00\00\00\00\00\00\00"   ;; clock id: monotonic
    "\00\00\00\00\00\00\00\00"   ;; timeout 0
    "\00\00\00\00\00\00\00\00"   ;; precision
    "\00\00\00\00\00\00\00\00")  ;; flags: relative

  (global $EFAULT i32 (i32.const 21))
  (global $EINVAL i32 (i32.const 28))

  ;; Ends the guest with `code` unless `got` is `want`.
  (func $expect (param $got i32) (param $want i32) (param $code i32)
    (if (i32.ne (local.get $got) (local.get $want))
      (then (call $proc_exit (local.get $code)))))

  ;; Ends the guest with `code` unless `got` is `a` or `b`.
  (func $expect_either (param $got i32) (param $a i32) (param $b i32) (param $code i32)
    (if (i32.and (i32.ne (local.get $got) (local.get $a))
                 (i32.ne (local.get $got) (local.get $b)))
      (then (call $proc_exit (local.get $code)))))

  ;; Monotonic time in ns.
  (func $now (result i64)
    (call $expect (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 0x88))
                  (i32.const 0) (i32.const 2))
    (i64.load (i32.const 0x88)))

  (func (export "_start")
    (local $t0 i64)

    ;; ---- fd_write: the iovec array itself out of bounds
    (call $expect (call $fd_write (i32.const 1) (i32.const 0xfffc) (i32.const 1) (i32.const 0x80))
                  (global.get $EFAULT) (i32.const 10))
    (call $expect (call $fd_write (i32.const 1) (i32.const 0x10000) (i32.const 1) (i32.const 0x80))
                  (global.get $EFAULT) (i32.const 11))
    (call $expect (call $fd_write (i32.const 1) (i32.const 0xfffffff8) (i32.const 1) (i32.const 0x80))
                  (global.get $EFAULT) (i32.const 12))

    ;; ---- fd_write: an iovec's buffer out of bounds
    (call $expect (call $fd_write (i32.const 1) (i32.const 0x108) (i32.const 1) (i32.const 0x80))
                  (global.get $EFAULT) (i32.const 13))
    (call $expect (call $fd_write (i32.const 1) (i32.const 0x110) (i32.const 1) (i32.const 0x80))
                  (global.get $EFAULT) (i32.const 14))
    (call $expect (call $fd_write (i32.const 1) (i32.const 0x118) (i32.const 1) (i32.const 0x80))
                  (global.get $EFAULT) (i32.const 15))

    ;; ---- fd_read: a buffer out of bounds fails before anything is read,
    ;; so the host's bytes are all still there afterwards.
    (call $expect (call $fd_read (i32.const 0) (i32.const 0x108) (i32.const 1) (i32.const 0x80))
                  (global.get $EFAULT) (i32.const 16))
    (call $expect (call $fd_read (i32.const 0) (i32.const 0x120) (i32.const 1) (i32.const 0x80))
                  (i32.const 0) (i32.const 17))
    (call $expect (i32.load (i32.const 0x80)) (i32.const 10) (i32.const 17))
    ;; "01234567" as a little-endian i64
    (if (i64.ne (i64.load (i32.const 0x200)) (i64.const 0x3736353433323130))
      (then (call $proc_exit (i32.const 17))))

    ;; ---- fd_write: the result pointer out of bounds (nothing to write)
    (call $expect (call $fd_write (i32.const 1) (i32.const 0x100) (i32.const 1) (i32.const 0x10000))
                  (global.get $EFAULT) (i32.const 18))
    (call $expect (call $fd_write (i32.const 1) (i32.const 0x100) (i32.const 1) (i32.const 0xfffe))
                  (global.get $EFAULT) (i32.const 19))

    ;; ---- iovec counts: absurd, one too many, and the most allowed
    (call $expect_either
      (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0x7fffffff) (i32.const 0x80))
      (global.get $EINVAL) (global.get $EFAULT) (i32.const 20))
    (call $expect_either
      (call $fd_read (i32.const 0) (i32.const 0) (i32.const 0x7fffffff) (i32.const 0x80))
      (global.get $EINVAL) (global.get $EFAULT) (i32.const 21))
    (call $expect_either
      (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0xffffffff) (i32.const 0x80))
      (global.get $EINVAL) (global.get $EFAULT) (i32.const 22))
    (call $expect (call $fd_write (i32.const 1) (i32.const 0x1000) (i32.const 1025) (i32.const 0x80))
                  (global.get $EINVAL) (i32.const 23))
    (i32.store (i32.const 0x80) (i32.const 0x5555))
    (call $expect (call $fd_write (i32.const 1) (i32.const 0x1000) (i32.const 1024) (i32.const 0x80))
                  (i32.const 0) (i32.const 24))
    (call $expect (i32.load (i32.const 0x80)) (i32.const 0) (i32.const 24))

    ;; ---- args and environ
    (call $expect (call $args_sizes_get (i32.const 0x10000) (i32.const 0x80))
                  (global.get $EFAULT) (i32.const 30))
    (call $expect (call $args_sizes_get (i32.const 0x80) (i32.const 0xfffe))
                  (global.get $EFAULT) (i32.const 31))
    (call $expect (call $args_get (i32.const 0x10000) (i32.const 0x200))
                  (global.get $EFAULT) (i32.const 32))
    (call $expect (call $args_get (i32.const 0x200) (i32.const 0xffff))
                  (global.get $EFAULT) (i32.const 33))
    (call $expect (call $environ_sizes_get (i32.const 0xfffffffc) (i32.const 0x80))
                  (global.get $EFAULT) (i32.const 34))
    (call $expect (call $environ_get (i32.const 0x10000) (i32.const 0x200))
                  (global.get $EFAULT) (i32.const 35))
    (call $expect (call $environ_get (i32.const 0x200) (i32.const 0xffffffff))
                  (global.get $EFAULT) (i32.const 36))

    ;; ---- clocks
    (call $expect (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 0xfffc))
                  (global.get $EFAULT) (i32.const 40))
    (call $expect (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 0x10000))
                  (global.get $EFAULT) (i32.const 41))
    (call $expect (call $clock_res_get (i32.const 0) (i32.const 0xffffffff))
                  (global.get $EFAULT) (i32.const 42))

    ;; ---- random_get: a buffer that runs off the end is refused whole,
    ;; leaving the in-bounds part untouched (memory there is still zero).
    (call $expect (call $random_get (i32.const 0xfff0) (i32.const 0x20))
                  (global.get $EFAULT) (i32.const 50))
    (if (i64.ne (i64.or (i64.load (i32.const 0xfff0)) (i64.load (i32.const 0xfff8)))
                (i64.const 0))
      (then (call $proc_exit (i32.const 51))))
    (call $expect (call $random_get (i32.const 0) (i32.const 0xffffffff))
                  (global.get $EFAULT) (i32.const 52))
    (call $expect (call $random_get (i32.const 0xffffffff) (i32.const 2))
                  (global.get $EFAULT) (i32.const 53))
    ;; An empty buffer right at the end of memory is in bounds.
    (call $expect (call $random_get (i32.const 0x10000) (i32.const 0))
                  (i32.const 0) (i32.const 54))

    ;; ---- fd results that do not fit
    (call $expect (call $fd_fdstat_get (i32.const 1) (i32.const 0xfff0))
                  (global.get $EFAULT) (i32.const 60))
    (call $expect (call $fd_filestat_get (i32.const 3) (i32.const 0xffc8))
                  (global.get $EFAULT) (i32.const 61))
    (call $expect (call $fd_prestat_get (i32.const 3) (i32.const 0xfffc))
                  (global.get $EFAULT) (i32.const 62))
    ;; "/sandbox" is 8 bytes; only 2 are left at 0xfffe.
    (call $expect (call $fd_prestat_dir_name (i32.const 3) (i32.const 0xfffe) (i32.const 8))
                  (global.get $EFAULT) (i32.const 63))
    (call $expect (call $fd_readdir (i32.const 3) (i32.const 0xfff0) (i32.const 0x100)
                                    (i64.const 0) (i32.const 0x80))
                  (global.get $EFAULT) (i32.const 64))
    (call $expect (call $fd_readdir (i32.const 3) (i32.const 0x200) (i32.const 0x100)
                                    (i64.const 0) (i32.const 0x10000))
                  (global.get $EFAULT) (i32.const 65))

    ;; ---- paths
    (call $expect (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0x300)
                                           (i32.const 0xffffffff) (i32.const 0x200))
                  (global.get $EFAULT) (i32.const 70))
    (call $expect (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0x300)
                                           (i32.const 0x7fffffff) (i32.const 0x200))
                  (global.get $EFAULT) (i32.const 71))
    (call $expect (call $path_open (i32.const 3) (i32.const 0) (i32.const 0xfff0) (i32.const 0x20)
                                   (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0)
                                   (i32.const 0x80))
                  (global.get $EFAULT) (i32.const 72))
    ;; The path starts in bounds and runs off the end; nothing is created.
    (call $expect (call $path_create_directory (i32.const 3) (i32.const 0xfffe) (i32.const 4))
                  (global.get $EFAULT) (i32.const 73))
    (call $expect (call $path_create_directory (i32.const 3) (i32.const 0xffffffff) (i32.const 2))
                  (global.get $EFAULT) (i32.const 74))
    ;; The path is fine, the result slot for the new fd is not.
    (call $expect (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x300) (i32.const 1)
                                   (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0)
                                   (i32.const 0x10000))
                  (global.get $EFAULT) (i32.const 75))
    (call $expect (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0x300)
                                           (i32.const 1) (i32.const 0xffc8))
                  (global.get $EFAULT) (i32.const 76))

    ;; ---- poll_oneoff
    ;; An absurd subscription count is refused at once, without the host
    ;; trying to read or allocate for 2^31 subscriptions.
    (local.set $t0 (call $now))
    (call $expect_either
      (call $poll_oneoff (i32.const 0) (i32.const 0x1000) (i32.const 0x7fffffff) (i32.const 0x80))
      (global.get $EFAULT) (global.get $EINVAL) (i32.const 80))
    (call $expect_either
      (call $poll_oneoff (i32.const 0) (i32.const 0x1000) (i32.const 0xffffffff) (i32.const 0x80))
      (global.get $EFAULT) (global.get $EINVAL) (i32.const 81))
    (if (i64.gt_u (i64.sub (call $now) (local.get $t0)) (i64.const 5000000000))
      (then (call $proc_exit (i32.const 82))))
    ;; Subscriptions, events, or the event count out of bounds.
    (call $expect (call $poll_oneoff (i32.const 0xfff0) (i32.const 0x500) (i32.const 1) (i32.const 0x80))
                  (global.get $EFAULT) (i32.const 83))
    (call $expect (call $poll_oneoff (i32.const 0x400) (i32.const 0xfff0) (i32.const 1) (i32.const 0x80))
                  (global.get $EFAULT) (i32.const 84))
    (call $expect (call $poll_oneoff (i32.const 0x400) (i32.const 0x500) (i32.const 1) (i32.const 0x10000))
                  (global.get $EFAULT) (i32.const 85))
    ;; And the same subscription with everything in bounds works.
    (call $expect (call $poll_oneoff (i32.const 0x400) (i32.const 0x500) (i32.const 1) (i32.const 0x80))
                  (i32.const 0) (i32.const 86))
    (call $expect (i32.load (i32.const 0x80)) (i32.const 1) (i32.const 86))

    (call $proc_exit (i32.const 0)))
)
