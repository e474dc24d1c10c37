;; No arguments after the program name and no environment at all, checked at
;; the ABI: args_sizes_get reports one argument (argv[0]) whose bytes fill
;; the size it reports, environ_sizes_get reports zero and zero, and
;; environ_get with that empty layout writes nothing. Prints one line and
;; exits 0; any mismatch exits with the number of the failed check.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get"
    (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get"
    (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get"
    (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; 0: count, 4: size, 16: iovec, 32: nwritten, 64: message,
  ;; 1024: argv pointers, 2048: argv bytes, 4096: environ sentinel.
  (data (i32.const 64) "ok empty args and environ\n")
  (data (i32.const 4096) "\ff\ff\ff\ff\ff\ff\ff\ff")

  (func $check (param $ok i32) (param $code i32)
    (if (i32.eqz (local.get $ok)) (then (call $proc_exit (local.get $code)))))

  (func (export "_start")
    (local $i i32)
    ;; argv: one string, argv[0], NUL terminated, filling the reported size.
    (call $check (i32.eqz (call $args_sizes_get (i32.const 0) (i32.const 4))) (i32.const 10))
    (call $check (i32.eq (i32.load (i32.const 0)) (i32.const 1)) (i32.const 11))
    (call $check (i32.gt_u (i32.load (i32.const 4)) (i32.const 1)) (i32.const 12))
    (call $check (i32.eqz (call $args_get (i32.const 1024) (i32.const 2048))) (i32.const 13))
    (call $check (i32.eq (i32.load (i32.const 1024)) (i32.const 2048)) (i32.const 14))
    (call $check
      (i32.eqz (i32.load8_u (i32.add (i32.const 2047) (i32.load (i32.const 4)))))
      (i32.const 15))
    ;; No NUL before the last byte: exactly one string.
    (local.set $i (i32.const 2048))
    (block $done
      (loop $scan
        (br_if $done
          (i32.ge_u (local.get $i) (i32.add (i32.const 2047) (i32.load (i32.const 4)))))
        (call $check (i32.ne (i32.load8_u (local.get $i)) (i32.const 0)) (i32.const 16))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    ;; environ: nothing, and nothing written.
    (i64.store (i32.const 0) (i64.const -1))
    (call $check (i32.eqz (call $environ_sizes_get (i32.const 0) (i32.const 4))) (i32.const 20))
    (call $check (i32.eqz (i32.load (i32.const 0))) (i32.const 21))
    (call $check (i32.eqz (i32.load (i32.const 4))) (i32.const 22))
    (call $check (i32.eqz (call $environ_get (i32.const 4096) (i32.const 4100))) (i32.const 23))
    (call $check (i64.eq (i64.load (i32.const 4096)) (i64.const -1)) (i32.const 24))
    ;; Report.
    (i32.store (i32.const 16) (i32.const 64))
    (i32.store (i32.const 20) (i32.const 26))
    (call $check
      (i32.eqz (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 32)))
      (i32.const 30))
    (call $check (i32.eq (i32.load (i32.const 32)) (i32.const 26)) (i32.const 31))))
