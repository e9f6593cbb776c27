//! A tiny deterministic random generator, so every table, figure and test draws the same numbers
//! on every machine.

/// SplitMix64 (Steele, Lea and Flood 2014; Vigna's reference `splitmix64.c`): 64 bits of state,
/// one addition and a mixing function per draw. Not for cryptography; plenty for stand-in
/// weights and Monte Carlo checks.
///
/// ```
/// let mut a = bookkit::rng::SplitMix64(7);
/// let mut b = bookkit::rng::SplitMix64(7);
/// assert_eq!(a.next_u64(), b.next_u64()); // same seed, same stream
/// let u = a.next_f64();
/// assert!((0.0..1.0).contains(&u));
/// ```
#[derive(Debug, Clone)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in `[0, 1)` with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal sample (Box–Muller; one of the pair is discarded).
    pub fn next_gaussian(&mut self) -> f64 {
        let u1 = 1.0 - self.next_f64(); // in (0, 1], so the logarithm is finite
        let u2 = self.next_f64();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_its_reference_values() {
        // First outputs of SplitMix64 seeded with 1234567 (Vigna's reference implementation).
        let mut r = SplitMix64(1234567);
        assert_eq!(r.next_u64(), 6457827717110365317);
        assert_eq!(r.next_u64(), 3203168211198807973);
    }

    #[test]
    fn uniforms_and_gaussians_have_the_right_moments() {
        // 20 000 draws: the standard error of a uniform mean is 0.289/√20000 ≈ 0.002 and of a
        // normal mean 0.007, so 0.01 and 0.03 are 5σ bounds; the variance of N(0,1) has standard
        // error √(2/20000) = 0.01, so 0.05 is 5σ.
        let mut r = SplitMix64(42);
        let n = 20_000;
        let u: Vec<f64> = (0..n).map(|_| r.next_f64()).collect();
        let mean_u = u.iter().sum::<f64>() / n as f64;
        assert!((mean_u - 0.5).abs() < 0.01, "{mean_u}");
        assert!(u.iter().all(|x| (0.0..1.0).contains(x)));
        let g: Vec<f64> = (0..n).map(|_| r.next_gaussian()).collect();
        let mean_g = g.iter().sum::<f64>() / n as f64;
        let var_g = g.iter().map(|x| (x - mean_g).powi(2)).sum::<f64>() / n as f64;
        assert!(mean_g.abs() < 0.03, "{mean_g}");
        assert!((var_g - 1.0).abs() < 0.05, "{var_g}");
    }
}
