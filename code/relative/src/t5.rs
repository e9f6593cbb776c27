//! T5's relative attention bias (Raffel et al., *Exploring the Limits of Transfer Learning with a
//! Unified Text-to-Text Transformer*, 2020, arXiv:1910.10683): one learned scalar per head per
//! *bucket* of offsets, added to the logits (T5 does not scale its logits by `1/√d`).
//!
//! [`bucket`] follows the reference code (Mesh TensorFlow's `_relative_position_bucket`, copied by
//! Hugging Face's `T5Attention._relative_position_bucket`) operation for operation, including its
//! single-precision logarithm: the formula evaluated in `f64` ([`bucket_slow`], the textbook
//! form) puts some offsets in a different bucket.

use ndarray::Array2;

use errors::{bad, ensure_finite};

use crate::Error;

/// The bucketing settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Buckets {
    bidirectional: bool,
    num_buckets: usize,
    max_distance: usize,
}

impl Buckets {
    /// T5's defaults: 32 buckets, offsets beyond 128 share the last bucket.
    pub const T5: Buckets = Buckets {
        bidirectional: true,
        num_buckets: 32,
        max_distance: 128,
    };

    /// Checks the settings.
    ///
    /// # Errors
    /// Fewer than 2 buckets per direction (no room for exact and logarithmic buckets), or a
    /// `max_distance` not beyond the exact range (the logarithm's scale would be zero or negative).
    ///
    /// ```
    /// use relative::t5::Buckets;
    /// assert!(Buckets::new(true, 32, 128).is_ok());
    /// let e = Buckets::new(true, 32, 8).unwrap_err();
    /// assert!(e.to_string().contains("max_distance = 8"));
    /// ```
    pub fn new(
        bidirectional: bool,
        num_buckets: usize,
        max_distance: usize,
    ) -> Result<Self, Error> {
        if num_buckets > 1 << 20 || max_distance > 1 << 40 {
            return Err(bad(
                "num_buckets / max_distance",
                format!("{num_buckets} / {max_distance}"),
                "at most 2^20 buckets and a max_distance of at most 2^40",
            ));
        }
        let per_direction = if bidirectional {
            num_buckets / 2
        } else {
            num_buckets
        };
        if per_direction < 2 {
            return Err(bad(
                "num_buckets",
                num_buckets,
                "each direction needs at least 2 buckets (4 in all when bidirectional)",
            ));
        }
        let max_exact = per_direction / 2;
        if max_distance <= max_exact {
            return Err(bad(
                "max_distance",
                max_distance,
                "it must exceed the exact range (half the buckets of a direction)",
            ));
        }
        Ok(Buckets {
            bidirectional,
            num_buckets,
            max_distance,
        })
    }

    /// Whether queries may look both ways.
    pub fn bidirectional(&self) -> bool {
        self.bidirectional
    }

    /// How many buckets in all.
    pub fn num_buckets(&self) -> usize {
        self.num_buckets
    }

    /// Offsets at least this far share the last bucket of their direction.
    pub fn max_distance(&self) -> usize {
        self.max_distance
    }
}

/// The bucket of the offset `relative_position = j − i` (key position minus query position), as
/// the reference code computes it: exact buckets for small distances, logarithmically wider ones
/// up to `max_distance`, computed in `f32` and truncated.
///
/// ```
/// use relative::t5::{bucket, Buckets};
/// assert_eq!(bucket(0, Buckets::T5), 0);
/// assert_eq!(bucket(-3, Buckets::T5), 3); // looking back 3: an exact bucket
/// assert_eq!(bucket(3, Buckets::T5), 19); // looking ahead 3: the other half of the buckets
/// assert_eq!(bucket(-1000, Buckets::T5), 15); // beyond max_distance: the last bucket
/// ```
// ANCHOR: bucket
pub fn bucket(relative_position: i64, cfg: Buckets) -> usize {
    let mut num_buckets = cfg.num_buckets as i64;
    let mut offset = 0;
    let n = if cfg.bidirectional {
        num_buckets /= 2;
        if relative_position > 0 {
            offset = num_buckets; // keys after the query use the upper half
        }
        relative_position.unsigned_abs().min(i64::MAX as u64) as i64
    } else {
        // Causal: only keys at or before the query count; later ones fold onto 0.
        relative_position.min(0).unsigned_abs().min(i64::MAX as u64) as i64
    };
    let max_exact = num_buckets / 2;
    let b = if n < max_exact {
        n
    } else {
        // The reference: log(n / max_exact) in float32, divided by a float64 scalar that PyTorch
        // (and TensorFlow) first rounds to float32, times an integer, truncated to an integer.
        let scale = ((cfg.max_distance as f64) / (max_exact as f64)).ln() as f32;
        let log = ((n as f32) / (max_exact as f32)).ln();
        let large = max_exact + ((log / scale) * ((num_buckets - max_exact) as f32)) as i64;
        large.min(num_buckets - 1)
    };
    (offset + b) as usize
}
// ANCHOR_END: bucket

/// The textbook form of [`bucket`], with the same signature: the formula as the chapter prints
/// it, evaluated in `f64`. With `B` buckets per direction and `E = B / 2` exact ones, a distance
/// `n ≥ E` goes to `min(B − 1, E + ⌊ln(n / E) / ln(max_distance / E) · (B − E)⌋)`. (The
/// workspace names textbook forms `_slow`; this one is no slower, only plainer.)
///
/// It differs from [`bucket`] where the exact value is an integer: with 20 buckets and
/// `max_distance = 160`, distance 10 lands in bucket 6 in `f32` and 5 in `f64`. With T5's
/// defaults the two agree on every offset (the tests compare both against an independent NumPy
/// computation).
///
/// ```
/// use relative::t5::{bucket, bucket_slow, Buckets};
/// assert_eq!(bucket_slow(-3, Buckets::T5), bucket(-3, Buckets::T5));
/// let cfg = Buckets::new(true, 20, 160)?;
/// assert_eq!((bucket(-10, cfg), bucket_slow(-10, cfg)), (6, 5));
/// # Ok::<(), relative::Error>(())
/// ```
pub fn bucket_slow(relative_position: i64, cfg: Buckets) -> usize {
    let per_direction = if cfg.bidirectional {
        cfg.num_buckets / 2
    } else {
        cfg.num_buckets
    }; // B
    let exact = per_direction / 2; // E
    // Which half of the buckets the offset uses, and the distance n that indexes into it.
    let (half, n) = match (cfg.bidirectional, relative_position) {
        (true, r) if r > 0 => (per_direction, r.unsigned_abs()),
        (true, r) => (0, r.unsigned_abs()),
        (false, r) if r < 0 => (0, r.unsigned_abs()),
        (false, _) => (0, 0), // causal: keys after the query fold onto bucket 0
    };
    if n < exact as u64 {
        return half + n as usize;
    }
    let ratio = (n as f64 / exact as f64).ln() / (cfg.max_distance as f64 / exact as f64).ln();
    let large = exact.saturating_add((ratio * (per_direction - exact) as f64).floor() as usize);
    half + large.min(per_direction - 1)
}

/// One layer's learned biases: a scalar per bucket per head.
#[derive(Debug, Clone, PartialEq)]
pub struct T5Bias {
    cfg: Buckets,
    /// `num_buckets × heads`, as Hugging Face stores `relative_attention_bias`.
    table: Array2<f64>,
}

impl T5Bias {
    /// Checks and holds the table.
    ///
    /// # Errors
    /// A table without one row per bucket, no heads, or non-finite entries.
    pub fn new(cfg: Buckets, table: Array2<f64>) -> Result<Self, Error> {
        if table.nrows() != cfg.num_buckets || table.ncols() == 0 {
            return Err(errors::shape(
                "the bias table needs one row per bucket and one column per head",
                vec![cfg.num_buckets, table.ncols().max(1)],
                table.shape().to_vec(),
            ));
        }
        ensure_finite("bias", table.iter().copied())?;
        Ok(T5Bias { cfg, table })
    }

    /// A seeded stand-in for trained biases (`N(0, 1)` entries).
    ///
    /// # Errors
    /// Zero heads.
    pub fn seeded(cfg: Buckets, heads: usize, seed: u64) -> Result<Self, Error> {
        let mut rng = bookkit::rng::SplitMix64(seed);
        T5Bias::new(
            cfg,
            Array2::from_shape_fn((cfg.num_buckets, heads), |_| rng.next_gaussian()),
        )
    }

    /// The bias one head adds to the logit of query `i` and key `j`.
    ///
    /// # Errors
    /// A head index past the table.
    pub fn at(&self, head: usize, i: usize, j: usize) -> Result<f64, Error> {
        if head >= self.table.ncols() {
            return Err(bad(
                "head",
                head,
                "heads are numbered from 0 below the table's width",
            ));
        }
        // j − i without signed casts that could overflow: distances beyond i64 saturate.
        let offset = if j >= i {
            i64::try_from(j - i).unwrap_or(i64::MAX)
        } else {
            -i64::try_from(i - j).unwrap_or(i64::MAX)
        };
        Ok(self.table[[bucket(offset, self.cfg), head]])
    }

    /// The full `n × n` bias of one head.
    ///
    /// # Errors
    /// A head index past the table.
    pub fn matrix(&self, head: usize, n: usize) -> Result<Array2<f64>, Error> {
        self.at(head, 0, 0)?; // checks the head once
        Ok(Array2::from_shape_fn((n, n), |(i, j)| {
            self.at(head, i, j).unwrap_or(f64::NAN)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_by_hand() {
        // Bidirectional, 16 buckets a side, 8 exact: bucket = 8 + ⌊8 ln(n/8) / ln 16⌋ = 8 + ⌊2 log2(n/8)⌋.
        let b = |n: i64| bucket(-n, Buckets::T5);
        assert_eq!(
            (0..8).map(b).collect::<Vec<_>>(),
            (0..8).collect::<Vec<_>>()
        );
        assert_eq!([b(8), b(11), b(12), b(15), b(16)], [8, 8, 9, 9, 10]);
        assert_eq!(
            [b(22), b(23), b(45), b(46), b(90), b(91)],
            [10, 11, 12, 13, 14, 15]
        );
        assert_eq!([b(127), b(128), b(10_000)], [15, 15, 15]);
        // Looking ahead uses buckets 16 to 31.
        assert_eq!(bucket(1, Buckets::T5), 17);
        assert_eq!(bucket(16, Buckets::T5), 26);
        // Causal: 32 buckets for looking back, 16 exact; looking ahead folds onto bucket 0.
        let causal = Buckets::new(false, 32, 128).unwrap();
        assert_eq!(bucket(5, causal), 0);
        assert_eq!(
            [
                bucket(-15, causal),
                bucket(-16, causal),
                bucket(-127, causal)
            ],
            [15, 16, 31]
        );
    }

    #[test]
    fn single_precision_matters_at_exact_boundaries() {
        // 20 buckets, max_distance 160: 5 exact buckets a side, and the large branch is
        // 5 + ⌊log2(n/5)⌋, an exact integer at n = 10, 20, 40, 80. In f32 the quotient of the two
        // rounded logarithms comes out exact at n = 10; in f64 it falls a hair short.
        let cfg = Buckets::new(true, 20, 160).unwrap();
        assert_eq!(bucket(-10, cfg), 6);
        assert_eq!(bucket_slow(-10, cfg), 5);
        assert_eq!(bucket(-40, cfg), bucket_slow(-40, cfg));
    }

    #[test]
    fn the_textbook_form_agrees_with_the_reference_on_t5_defaults() {
        let causal = Buckets::new(false, 32, 128).unwrap();
        for cfg in [Buckets::T5, causal] {
            for r in -20_000..=20_000 {
                assert_eq!(bucket_slow(r, cfg), bucket(r, cfg), "{cfg:?}, {r}");
            }
            for r in [i64::MIN, i64::MIN + 1, i64::MAX] {
                assert_eq!(bucket_slow(r, cfg), bucket(r, cfg), "{cfg:?}, {r}");
            }
        }
    }

    #[test]
    fn settings_and_tables_are_checked() {
        assert!(Buckets::new(true, 3, 128).is_err());
        assert!(Buckets::new(false, 1, 128).is_err());
        assert!(Buckets::new(false, 32, 16).is_err());
        assert!(T5Bias::new(Buckets::T5, Array2::zeros((31, 8))).is_err());
        assert!(T5Bias::seeded(Buckets::T5, 0, 1).is_err());
        let bias = T5Bias::seeded(Buckets::T5, 2, 1).unwrap();
        assert!(bias.matrix(2, 4).is_err());
        let m = bias.matrix(1, 5).unwrap();
        assert_eq!(m[[3, 1]], bias.at(1, 3, 1).unwrap());
        assert!(bias.at(2, 0, 0).is_err());
        // Extreme offsets do not overflow: they land in the last buckets.
        assert_eq!(bucket(i64::MIN, Buckets::T5), 15);
        assert_eq!(bucket(i64::MAX, Buckets::T5), 31);
        assert!(bias.at(0, usize::MAX, 0).is_ok());
        assert!(Buckets::new(true, usize::MAX, usize::MAX).is_err());
    }
}
