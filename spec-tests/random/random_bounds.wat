;; random_get at the edge of linear memory, where the exact pointer and
;; length matter: a buffer that ends exactly at the end of memory is filled,
;; a zero-length request at the very end succeeds, and a buffer that runs
;; past the end is EFAULT with nothing written. Prints one line; any
;; mismatch exits with the number of the failed check.
(module
  (import "wasi_snapshot_preview1" "random_get"
    (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  ;; One page: 65536 bytes.
  (memory (export "memory") 1)
  (data (i32.const 64) "ok random_get at the end of memory\n")

  (func $check (param $ok i32) (param $code i32)
    (if (i32.eqz (local.get $ok)) (then (call $proc_exit (local.get $code)))))

  (func (export "_start")
    ;; The last 8 bytes, filled from a known pattern.
    (i64.store (i32.const 65528) (i64.const 0))
    (call $check (i32.eqz (call $random_get (i32.const 65528) (i32.const 8))) (i32.const 10))
    ;; 8 random bytes are all zero once in 2^64 tries.
    (call $check (i64.ne (i64.load (i32.const 65528)) (i64.const 0)) (i32.const 11))
    ;; Zero length at the end of memory.
    (call $check (i32.eqz (call $random_get (i32.const 65536) (i32.const 0))) (i32.const 12))
    ;; Past the end: EFAULT (21), and the bytes that are in bounds untouched.
    (i64.store (i32.const 65528) (i64.const 0))
    (call $check (i32.eq (call $random_get (i32.const 65528) (i32.const 9)) (i32.const 21)) (i32.const 13))
    (call $check (i64.eqz (i64.load (i32.const 65528))) (i32.const 14))
    (call $check (i32.eq (call $random_get (i32.const 65537) (i32.const 0)) (i32.const 21)) (i32.const 15))
    (call $check (i32.eq (call $random_get (i32.const 0) (i32.const -1)) (i32.const 21)) (i32.const 16))
    (call $check (i32.eq (call $random_get (i32.const -1) (i32.const 2)) (i32.const 21)) (i32.const 17))
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 35))
    (call $check
      (i32.eqz (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (i32.const 30))))
