;; The fast vector path's first pass: Hamming distances between a query's sign bits and every
;; stored vector's, with a histogram of the distances, then the positions within a cut-off.
;; Compiled by `npx tsx scripts/build-wasm.ts` into hamming-wasm.ts (committed; a test checks
;; that the two agree). i64.popcnt becomes one POPCNT instruction: ~5x faster than a JS lookup table.
(module
  (memory (export "memory") 1)

  ;; For each of `count` vectors of `words` 64-bit words at `vectors`: the distance to the query at
  ;; `query` as a u16 at `distances`, and one more in its u32 bucket of `histogram`.
  (func (export "distances")
    (param $vectors i32) (param $count i32) (param $words i32) (param $query i32) (param $distances i32) (param $histogram i32)
    (local $i i32) (local $w i32) (local $d i32) (local $v i32) (local $q i32) (local $bucket i32)
    (local.set $v (local.get $vectors))
    (block $done
      (loop $each_vector
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $d (i32.const 0))
        (local.set $w (i32.const 0))
        (local.set $q (local.get $query))
        (loop $each_word
          (local.set $d
            (i32.add (local.get $d)
              (i32.wrap_i64 (i64.popcnt (i64.xor (i64.load (local.get $v)) (i64.load (local.get $q)))))))
          (local.set $v (i32.add (local.get $v) (i32.const 8)))
          (local.set $q (i32.add (local.get $q) (i32.const 8)))
          (local.set $w (i32.add (local.get $w) (i32.const 1)))
          (br_if $each_word (i32.lt_u (local.get $w) (local.get $words))))
        (i32.store16 (i32.add (local.get $distances) (i32.shl (local.get $i) (i32.const 1))) (local.get $d))
        (local.set $bucket (i32.add (local.get $histogram) (i32.shl (local.get $d) (i32.const 2))))
        (i32.store (local.get $bucket) (i32.add (i32.load (local.get $bucket)) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each_vector))))

  ;; Writes as u32 at `out` the positions whose distance is below `cutoff`, and the first `ties`
  ;; whose distance equals it; returns how many were written.
  (func (export "within")
    (param $distances i32) (param $count i32) (param $cutoff i32) (param $ties i32) (param $out i32) (result i32)
    (local $i i32) (local $d i32) (local $found i32)
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $d (i32.load16_u (i32.add (local.get $distances) (i32.shl (local.get $i) (i32.const 1)))))
        (if (i32.or
              (i32.lt_u (local.get $d) (local.get $cutoff))
              (i32.and (i32.eq (local.get $d) (local.get $cutoff)) (i32.gt_s (local.get $ties) (i32.const 0))))
          (then
            (if (i32.eq (local.get $d) (local.get $cutoff))
              (then (local.set $ties (i32.sub (local.get $ties) (i32.const 1)))))
            (i32.store (i32.add (local.get $out) (i32.shl (local.get $found) (i32.const 2))) (local.get $i))
            (local.set $found (i32.add (local.get $found) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (local.get $found)))
