//! Position interpolation (Chen, Wong, Chen and Tian, *Extending Context Window of Large Language
//! Models via Positional Interpolation*, 2023, arXiv:2306.15595; `rope_type: "linear"`).

use crate::base::check_factor;
use crate::{Base, Result, Scaled};

// ANCHOR: linear
/// Position interpolation: squeeze `s·L` positions into the trained range by dividing every
/// frequency by `s` (equivalently, every position).
pub fn linear(base: &Base, factor: f64) -> Result<Scaled> {
    let s = check_factor("factor", factor)?;
    Ok(Scaled {
        inv_freq: base.inv_freq().iter().map(|t| t / s).collect(),
        attention_factor: 1.0,
    })
}
// ANCHOR_END: linear

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_divides_every_frequency() {
        let b = Base::new(128, 10000.0, 4096).unwrap();
        let s = linear(&b, 4.0).unwrap();
        for (a, t) in s.inv_freq.iter().zip(b.inv_freq()) {
            assert_eq!(*a, t / 4.0);
        }
        assert!(linear(&b, 0.0).is_err());
        assert!(linear(&b, f64::NAN).is_err());
    }
}
