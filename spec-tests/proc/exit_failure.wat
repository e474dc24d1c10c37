;; proc_exit(1) ends the program at once with exit status 1: the line
;; written before it arrives, the code after it never runs (it would write a
;; second line and then trap).
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "before proc_exit\n")
  (data (i32.const 128) "after proc_exit\n")
  (func $print (param $at i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $at))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (call $print (i32.const 64) (i32.const 17))
    (call $proc_exit (i32.const 1))
    (call $print (i32.const 128) (i32.const 16))
    unreachable))
