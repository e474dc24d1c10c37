;; Opens the preopen's "." again and again until the table is full, then
;; checks that the next open gets EMFILE (33) and that closing one makes
;; room again. The host caps the table at 8 descriptors: 3 stdio, the
;; preopen at fd 3, and room for 4 more. Exit codes name the failed check.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close"
    (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) ".")

  ;; path_open(3, follow, ".", DIRECTORY, PATH_OPEN rights) into [32].
  (func $open_dot (result i32)
    (call $path_open (i32.const 3) (i32.const 1) (i32.const 16) (i32.const 1)
      (i32.const 2) (i64.const 0x2000) (i64.const 0) (i32.const 0) (i32.const 32)))

  (func (export "_start")
    (local $i i32)
    (block $full
      (loop $more
        (br_if $full (i32.eq (local.get $i) (i32.const 4)))
        (if (i32.ne (call $open_dot) (i32.const 0))
          (then (call $proc_exit (i32.add (i32.const 10) (local.get $i)))))
        ;; Lowest free first: the opens land on 4, 5, 6, 7.
        (if (i32.ne (i32.load (i32.const 32)) (i32.add (i32.const 4) (local.get $i)))
          (then (call $proc_exit (i32.add (i32.const 20) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $more)))
    (if (i32.ne (call $open_dot) (i32.const 33))
      (then (call $proc_exit (i32.const 1))))
    (if (i32.ne (call $fd_close (i32.const 5)) (i32.const 0))
      (then (call $proc_exit (i32.const 2))))
    (if (i32.ne (call $open_dot) (i32.const 0))
      (then (call $proc_exit (i32.const 3))))
    (if (i32.ne (i32.load (i32.const 32)) (i32.const 5))
      (then (call $proc_exit (i32.const 4))))
    (call $proc_exit (i32.const 0))))
