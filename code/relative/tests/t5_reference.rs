//! T5 buckets against an independent computation: `tests/fixtures/t5_buckets.txt` holds, for four
//! settings and every offset from −600 to 600, the bucket NumPy computes in float32 (as the
//! reference code does) and in float64. The generator is `tests/fixtures/t5_buckets.py`.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use relative::t5::{Buckets, bucket, bucket_slow};

#[test]
fn every_bucket_matches_the_numpy_reference() {
    let text = include_str!("fixtures/t5_buckets.txt");
    let mut checked = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<i64> = line
            .split_whitespace()
            .map(|x| x.parse().unwrap())
            .collect();
        let cfg = Buckets::new(f[0] == 1, f[1] as usize, f[2] as usize).unwrap();
        assert_eq!(bucket(f[3], cfg) as i64, f[4], "f32, {line}");
        assert_eq!(bucket_slow(f[3], cfg) as i64, f[5], "f64, {line}");
        checked += 1;
    }
    assert_eq!(checked, 4 * 1201);
    // With T5's defaults the two precisions agree everywhere; the book says so.
    let defaults = text
        .lines()
        .filter(|l| l.starts_with("1 32 128 ") || l.starts_with("0 32 128 "));
    for line in defaults {
        let f: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(f[4], f[5], "{line}");
    }
}
