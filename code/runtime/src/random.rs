//! Randomized positions (Ruoss et al., *Randomized Positional Encodings Boost Length
//! Generalization of Transformers*, 2023, arXiv:2305.16843): a sequence of `n` tokens takes `n`
//! distinct positions drawn from `0 … M − 1` for an `M` much larger than any length trained on,
//! sorted so their order is kept; the model meets every position up to `M − 1` while training on
//! short sequences. Read in `google-deepmind/randomized_positional_encodings`,
//! `models/positional_encodings.py`, `noisy_fixed_positional_encodings` (`jrandom.choice(...,
//! replace=False)` then `jnp.sort`), at commit `e8c64749d8cad7772dc7ade75b32ef9b2b29b466`.

use std::collections::BTreeSet;

use bookkit::rng::SplitMix64;
use errors::bad;

use crate::Error;

/// A uniform integer in `0 … n − 1` (n ≥ 1), by rejection so that no value is favoured.
fn below(rng: &mut SplitMix64, n: u64) -> u64 {
    let zone = u64::MAX - u64::MAX % n;
    loop {
        let x = rng.next_u64();
        if x < zone {
            return x % n;
        }
    }
}

// ANCHOR: sample
/// `n` distinct positions from `0 … max_len − 1`, every subset equally likely, in increasing
/// order (Floyd's algorithm: one draw per position).
///
/// # Errors
/// More positions than the range holds.
///
/// ```
/// let mut rng = bookkit::rng::SplitMix64(1);
/// let p = runtime::random::sample(5, 64, &mut rng)?;
/// assert_eq!(p.len(), 5);
/// assert!(p.windows(2).all(|w| w[0] < w[1]) && p[4] < 64);
/// assert!(runtime::random::sample(65, 64, &mut rng).is_err());
/// # Ok::<(), runtime::Error>(())
/// ```
pub fn sample(n: usize, max_len: usize, rng: &mut SplitMix64) -> Result<Vec<usize>, Error> {
    if n > max_len {
        return Err(bad(
            "n",
            n,
            format!("n distinct positions need a range of at least n; it holds {max_len}"),
        ));
    }
    let mut chosen = BTreeSet::new();
    for top in max_len - n..max_len {
        let t = below(rng, top as u64 + 1) as usize; // uniform in 0..=top
        if !chosen.insert(t) {
            chosen.insert(top); // t was taken: top never was
        }
    }
    Ok(chosen.into_iter().collect()) // a BTreeSet iterates in increasing order
}
// ANCHOR_END: sample
