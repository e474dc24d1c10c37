;; Guest pointers and lengths that leave linear memory, given to the
;; filesystem calls: each must return EFAULT (21), and an iovec count over
;; 1024 EINVAL (28), without touching the file system. The sandbox is fd 3
;; and holds file.txt ("hello") and link -> file.txt, both made by the host.
;; On a wrong answer the guest exits with the number of the check.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get"
    (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get"
    (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name"
    (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir"
    (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get"
    (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_readlink"
    (func $path_readlink (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get"
    (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_set_times"
    (func $path_filestat_set_times (param i32 i32 i32 i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink"
    (func $path_symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename"
    (func $path_rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_link"
    (func $path_link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory"
    (func $path_create_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_remove_directory"
    (func $path_remove_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file"
    (func $path_unlink_file (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pread"
    (func $fd_pread (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pwrite"
    (func $fd_pwrite (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek"
    (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_tell"
    (func $fd_tell (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))

  ;; One page: the last valid byte is 65535.
  (memory (export "memory") 1)

  (data (i32.const 0x100) "file.txt")
  (data (i32.const 0x110) "link")
  (data (i32.const 0x120) "newdir")
  (data (i32.const 0x130) "moved")
  (data (i32.const 0x140) "XX")

  ;; 0x1000: the opened fd; 0x1008: result slots; 0x1100: iovecs (1025 of
  ;; them, all zero unless set); 0x3000: one more iovec; 0x4000: scratch.
  (global $EFAULT i32 (i32.const 21))
  (global $EINVAL i32 (i32.const 28))
  (global $END i32 (i32.const 65536))

  (func $expect (param $got i32) (param $want i32) (param $check i32)
    (if (i32.ne (local.get $got) (local.get $want))
      (then (call $proc_exit (local.get $check)))))

  ;; file.txt must still exist and read "hello".
  (func $file_intact (param $check i32)
    (call $expect
      (call $path_filestat_get (i32.const 3) (i32.const 0)
        (i32.const 0x100) (i32.const 8) (i32.const 0x4000))
      (i32.const 0) (local.get $check))
    ;; filestat.size is at offset 32
    (call $expect (i32.wrap_i64 (i64.load (i32.const 0x4020)))
      (i32.const 5) (local.get $check)))

;; file.txt, read through `fd` at offset 0, still starts "hello".
  (func $reads_hello (param $fd i32) (param $check i32)
    (i32.store (i32.const 0x3000) (i32.const 0x4100))
    (i32.store (i32.const 0x3004) (i32.const 5))
    (call $expect
      (call $fd_pread (local.get $fd) (i32.const 0x3000) (i32.const 1)
        (i64.const 0) (i32.const 0x3008))
      (i32.const 0) (local.get $check))
    (call $expect (i32.load (i32.const 0x3008)) (i32.const 5) (local.get $check))
    (call $expect (i32.load (i32.const 0x4100)) (i32.const 0x6c6c6568)
      (local.get $check))
    (call $expect (i32.load8_u (i32.const 0x4104)) (i32.const 0x6f)
      (local.get $check)))

  (func (export "_start")
    (local $fd i32)

    ;; path_open: the path runs off the end, is absurdly long, or wraps.
    (call $expect
      (call $path_open (i32.const 3) (i32.const 1) (i32.const 65530)
        (i32.const 10) (i32.const 0) (i64.const 2) (i64.const 0)
        (i32.const 0) (i32.const 0x1000))
      (global.get $EFAULT) (i32.const 1))
    (call $expect
      (call $path_open (i32.const 3) (i32.const 1) (i32.const 0x100)
        (i32.const -1) (i32.const 0) (i64.const 2) (i64.const 0)
        (i32.const 0) (i32.const 0x1000))
      (global.get $EFAULT) (i32.const 2))
    (call $expect
      (call $path_open (i32.const 3) (i32.const 1) (i32.const -16)
        (i32.const 32) (i32.const 0) (i64.const 2) (i64.const 0)
        (i32.const 0) (i32.const 0x1000))
      (global.get $EFAULT) (i32.const 3))
    (call $expect
      (call $path_open (i32.const 3) (i32.const 1) (global.get $END)
        (i32.const 1) (i32.const 0) (i64.const 2) (i64.const 0)
        (i32.const 0) (i32.const 0x1000))
      (global.get $EFAULT) (i32.const 4))
    ;; ...or the slot for the new fd does.
    (call $expect
      (call $path_open (i32.const 3) (i32.const 1) (i32.const 0x100)
        (i32.const 8) (i32.const 0) (i64.const 2) (i64.const 0)
        (i32.const 0) (i32.const 65534))
      (global.get $EFAULT) (i32.const 5))
    (call $expect
      (call $path_open (i32.const 3) (i32.const 1) (i32.const 0x100)
        (i32.const 8) (i32.const 0) (i64.const 2) (i64.const 0)
        (i32.const 0) (i32.const -1))
      (global.get $EFAULT) (i32.const 6))

    ;; Result structs that do not fit.
    (call $expect (call $fd_filestat_get (i32.const 3) (i32.const 65528))
      (global.get $EFAULT) (i32.const 7))
    (call $expect (call $fd_filestat_get (i32.const 3) (global.get $END))
      (global.get $EFAULT) (i32.const 8))
    (call $expect (call $fd_prestat_get (i32.const 3) (i32.const 65532))
      (global.get $EFAULT) (i32.const 9))
    (call $expect (call $fd_fdstat_get (i32.const 3) (i32.const 65520))
      (global.get $EFAULT) (i32.const 10))
    (call $expect
      (call $fd_prestat_dir_name (i32.const 3) (i32.const 65530) (i32.const 8))
      (global.get $EFAULT) (i32.const 11))
    (call $expect
      (call $path_filestat_get (i32.const 3) (i32.const 1) (i32.const 0x100)
        (i32.const 8) (i32.const 65500))
      (global.get $EFAULT) (i32.const 12))

    ;; fd_readdir: the buffer or the count slot out of bounds.
    (call $expect
      (call $fd_readdir (i32.const 3) (i32.const 65000) (i32.const 1000)
        (i64.const 0) (i32.const 0x1008))
      (global.get $EFAULT) (i32.const 13))
    (call $expect
      (call $fd_readdir (i32.const 3) (i32.const 0x4000) (i32.const 100)
        (i64.const 0) (i32.const 65534))
      (global.get $EFAULT) (i32.const 14))

    ;; path_readlink: the buffer or the count slot out of bounds.
    (call $expect
      (call $path_readlink (i32.const 3) (i32.const 0x110) (i32.const 4)
        (i32.const 65530) (i32.const 100) (i32.const 0x1008))
      (global.get $EFAULT) (i32.const 15))
    (call $expect
      (call $path_readlink (i32.const 3) (i32.const 0x110) (i32.const 4)
        (i32.const 0x4000) (i32.const 100) (i32.const -4))
      (global.get $EFAULT) (i32.const 16))

    ;; Paths out of bounds in every path call; nothing may change.
    (call $expect
      (call $path_filestat_get (i32.const 3) (i32.const 1) (i32.const 65530)
        (i32.const 100) (i32.const 0x4000))
      (global.get $EFAULT) (i32.const 17))
    (call $expect
      (call $path_filestat_set_times (i32.const 3) (i32.const 1)
        (i32.const 65530) (i32.const 100) (i64.const 1) (i64.const 1)
        (i32.const 5))
      (global.get $EFAULT) (i32.const 18))
    (call $expect
      (call $path_symlink (i32.const 65530) (i32.const 100) (i32.const 3)
        (i32.const 0x130) (i32.const 5))
      (global.get $EFAULT) (i32.const 19))
    (call $expect
      (call $path_symlink (i32.const 0x100) (i32.const 8) (i32.const 3)
        (i32.const 65530) (i32.const 100))
      (global.get $EFAULT) (i32.const 20))
    (call $expect
      (call $path_rename (i32.const 3) (i32.const 0x100) (i32.const 8)
        (i32.const 3) (i32.const 65530) (i32.const 100))
      (global.get $EFAULT) (i32.const 21))
    (call $expect
      (call $path_rename (i32.const 3) (i32.const -1) (i32.const 2)
        (i32.const 3) (i32.const 0x130) (i32.const 5))
      (global.get $EFAULT) (i32.const 22))
    (call $expect
      (call $path_link (i32.const 3) (i32.const 0) (i32.const 0x100)
        (i32.const 8) (i32.const 3) (i32.const 65530) (i32.const 100))
      (global.get $EFAULT) (i32.const 23))
    (call $expect
      (call $path_link (i32.const 3) (i32.const 0) (i32.const 65530)
        (i32.const 100) (i32.const 3) (i32.const 0x130) (i32.const 5))
      (global.get $EFAULT) (i32.const 24))
    (call $expect
      (call $path_create_directory (i32.const 3) (i32.const 65530)
        (i32.const 100))
      (global.get $EFAULT) (i32.const 25))
    (call $expect
      (call $path_remove_directory (i32.const 3) (i32.const 65530)
        (i32.const 100))
      (global.get $EFAULT) (i32.const 26))
    (call $expect
      (call $path_unlink_file (i32.const 3) (i32.const -1) (i32.const 1))
      (global.get $EFAULT) (i32.const 27))
    (call $file_intact (i32.const 28))

    ;; Open file.txt for reading and writing.
    (call $expect
      (call $path_open (i32.const 3) (i32.const 1) (i32.const 0x100)
        (i32.const 8) (i32.const 0) (i64.const 0x66) (i64.const 0)
        (i32.const 0) (i32.const 0x1000))
      (i32.const 0) (i32.const 29))
    (local.set $fd (i32.load (i32.const 0x1000)))

    ;; The iovec array, a buffer it names, or the count slot out of bounds.
    (call $expect
      (call $fd_pread (local.get $fd) (i32.const 65532) (i32.const 1)
        (i64.const 0) (i32.const 0x1008))
      (global.get $EFAULT) (i32.const 30))
    (i32.store (i32.const 0x1100) (i32.const 65530))
    (i32.store (i32.const 0x1104) (i32.const 100))
    (call $expect
      (call $fd_pread (local.get $fd) (i32.const 0x1100) (i32.const 1)
        (i64.const 0) (i32.const 0x1008))
      (global.get $EFAULT) (i32.const 31))
    (call $expect
      (call $fd_read (local.get $fd) (i32.const 0x1100) (i32.const 1)
        (i32.const 0x1008))
      (global.get $EFAULT) (i32.const 32))
    (i32.store (i32.const 0x1100) (i32.const 0x4000))
    (i32.store (i32.const 0x1104) (i32.const 5))
    (call $expect
      (call $fd_pread (local.get $fd) (i32.const 0x1100) (i32.const 1)
        (i64.const 0) (i32.const 65534))
      (global.get $EFAULT) (i32.const 33))

    ;; A write whose second buffer is out of bounds writes nothing.
    (i32.store (i32.const 0x1100) (i32.const 0x140))
    (i32.store (i32.const 0x1104) (i32.const 2))
    (i32.store (i32.const 0x1108) (i32.const 65530))
    (i32.store (i32.const 0x110c) (i32.const 100))
    (call $expect
      (call $fd_pwrite (local.get $fd) (i32.const 0x1100) (i32.const 2)
        (i64.const 0) (i32.const 0x1008))
      (global.get $EFAULT) (i32.const 35))
    (call $expect
      (call $fd_write (local.get $fd) (i32.const 0x1100) (i32.const 2)
        (i32.const 0x1008))
      (global.get $EFAULT) (i32.const 36))
    (call $file_intact (i32.const 37))
    (call $reads_hello (local.get $fd) (i32.const 34))
    ;; ...and leaves the position where it was.
    (call $expect (call $fd_tell (local.get $fd) (i32.const 0x1010))
      (i32.const 0) (i32.const 38))
    (call $expect (i32.wrap_i64 (i64.load (i32.const 0x1010)))
      (i32.const 0) (i32.const 39))
    (call $expect
      (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 0)
        (i32.const 65532))
      (global.get $EFAULT) (i32.const 40))

    ;; More than 1024 iovecs (all zero-length and in bounds) is EINVAL.
    (i32.store (i32.const 0x1100) (i32.const 0))
    (i32.store (i32.const 0x1104) (i32.const 0))
    (i32.store (i32.const 0x1108) (i32.const 0))
    (i32.store (i32.const 0x110c) (i32.const 0))
    (call $expect
      (call $fd_pread (local.get $fd) (i32.const 0x1100) (i32.const 1025)
        (i64.const 0) (i32.const 0x1008))
      (global.get $EINVAL) (i32.const 41))
    (call $expect
      (call $fd_pwrite (local.get $fd) (i32.const 0x1100) (i32.const 1025)
        (i64.const 0) (i32.const 0x1008))
      (global.get $EINVAL) (i32.const 42))
    (call $expect
      (call $fd_read (local.get $fd) (i32.const 0x1100) (i32.const 1025)
        (i32.const 0x1008))
      (global.get $EINVAL) (i32.const 43))
    ;; 1024 of them is fine.
    (call $expect
      (call $fd_pread (local.get $fd) (i32.const 0x1100) (i32.const 1024)
        (i64.const 0) (i32.const 0x1008))
      (i32.const 0) (i32.const 44))
    (call $file_intact (i32.const 45))
    (call $reads_hello (local.get $fd) (i32.const 46))))
