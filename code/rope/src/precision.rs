//! What low-precision positions and angles do to RoPE. Rounding to `bf16` and `f16` is emulated
//! exactly (round to nearest, ties to even) on `f64` values, so every step is reproducible.

use errors::bad;

use crate::{Error, Rope};

/// A storage format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// bfloat16: 8 significant bits, the exponent range of `f32`.
    Bf16,
    /// IEEE half precision: 11 significant bits, largest finite value 65504.
    F16,
    /// IEEE single precision: 24 significant bits.
    F32,
    /// IEEE double precision (the reference).
    F64,
}

impl Format {
    /// The name used in tables.
    pub fn name(self) -> &'static str {
        match self {
            Format::Bf16 => "bf16",
            Format::F16 => "f16",
            Format::F32 => "f32",
            Format::F64 => "f64",
        }
    }
}

/// Rounds `x` to the nearest `bits`-significant-bit float, ties to even, with exponents down to
/// `min_exp` (below it, a fixed spacing of `2^(min_exp − bits + 1)`, as subnormals have).
fn round_significant(x: f64, bits: i32, min_exp: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let exp = ((x.abs().to_bits() >> 52) & 0x7ff) as i32 - 1023; // ⌊log2 |x|⌋ for normal x
    let spacing = 2f64.powi(exp.max(min_exp) - (bits - 1));
    (x / spacing).round_ties_even() * spacing
}

// ANCHOR: round
/// `x` rounded to `format` (to nearest, ties to even). `f16` overflows to infinity from 65520 on.
///
/// ```
/// use rope::precision::{round, Format};
/// assert_eq!(round(257.0, Format::Bf16), 256.0); // bf16 counts integers exactly only to 256
/// assert_eq!(round(2049.0, Format::F16), 2048.0); // f16 only to 2048
/// assert_eq!(round(70000.0, Format::F16), f64::INFINITY);
/// assert_eq!(round(16_777_217.0, Format::F32), 16_777_216.0);
/// ```
pub fn round(x: f64, format: Format) -> f64 {
    match format {
        Format::F64 => x,
        Format::F32 => x as f32 as f64,
        Format::Bf16 => round_significant(x, 8, -126),
        Format::F16 => {
            let r = round_significant(x, 11, -14);
            if r.abs() > 65504.0 {
                r.signum() * f64::INFINITY
            } else {
                r
            }
        }
    }
}
// ANCHOR_END: round

/// The angle `m θ_j` as an implementation computes it when the position, the inverse frequency
/// and their product are each stored in `format`.
pub fn angle(m: usize, theta: f64, format: Format) -> f64 {
    round(round(m as f64, format) * round(theta, format), format)
}

/// For position `m`: the largest angle error over all frequencies (radians) and the largest
/// error in any coordinate of a rotated unit-norm vector, with angles computed in `format` and
/// everything else exact.
///
/// # Errors
/// Positions beyond 2^53 (not exact even in `f64`).
pub fn errors_at(rope: &Rope, m: usize, format: Format) -> Result<(f64, f64), Error> {
    if m > 1 << 53 {
        return Err(bad(
            "position",
            m,
            "positions must stay below 2^53 (exact in f64)",
        ));
    }
    let (mut angle_err, mut out_err) = (0.0f64, 0.0f64);
    // A unit vector with equal entries: each pair's rotation error shows in both coordinates.
    let x = 1.0 / (rope.head_dim() as f64).sqrt();
    for theta in rope.inv_freq() {
        let exact = m as f64 * theta;
        let got = angle(m, theta, format);
        if !got.is_finite() {
            // The position itself overflowed (f16 beyond 65504): no rotation can be computed.
            return Ok((f64::INFINITY, f64::NAN));
        }
        angle_err = angle_err.max((got - exact).abs());
        let (se, ce) = exact.sin_cos();
        let (sg, cg) = got.sin_cos();
        let a = ((x * ce - x * se) - (x * cg - x * sg)).abs();
        let b = ((x * se + x * ce) - (x * sg + x * cg)).abs();
        out_err = out_err.max(a.max(b));
    }
    Ok((angle_err, out_err))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_matches_the_formats() {
        // Representable integers stay; the first unrepresentable ones round to even.
        assert_eq!(round(256.0, Format::Bf16), 256.0);
        assert_eq!(round(258.0, Format::Bf16), 258.0);
        assert_eq!(round(259.0, Format::Bf16), 260.0);
        assert_eq!(round(2050.0, Format::F16), 2050.0);
        assert_eq!(round(2051.0, Format::F16), 2052.0);
        assert_eq!(round(65504.0, Format::F16), 65504.0);
        assert_eq!(round(65519.0, Format::F16), 65504.0);
        assert_eq!(round(65520.0, Format::F16), f64::INFINITY);
        // bf16 keeps f32's range: 1e30 is fine, to 8 bits.
        assert!((round(1e30, Format::Bf16) / 1e30 - 1.0).abs() < 2f64.powi(-8));
        // f16 subnormals: spacing 2^-24.
        assert_eq!(round(3.0 * 2f64.powi(-26), Format::F16), 2f64.powi(-24));
        // f32 agrees with the hardware.
        assert_eq!(round(0.1, Format::F32), f64::from(0.1f32));
        assert_eq!(round(-0.1, Format::Bf16), -round(0.1, Format::Bf16));
    }

    #[test]
    fn overflow_is_reported_not_hidden() {
        let rope = Rope::new(64, crate::BASE, crate::Layout::HalfSplit).unwrap();
        let (angle, out) = errors_at(&rope, 100_000, Format::F16).unwrap();
        assert!(angle.is_infinite() && out.is_nan());
    }

    /// Casting a model to bf16 rounds its `inv_freq` buffer; computing the angles afterwards in
    /// f32 (exact positions, exact products) does not restore the lost bits: at position 4096 the
    /// angle error of some frequency exceeds 1 radian, while f32 frequencies stay below 1e-3.
    #[test]
    fn a_bf16_inv_freq_is_not_repaired_by_f32_angles() {
        let rope = Rope::new(128, crate::BASE, crate::Layout::HalfSplit).unwrap();
        let worst = |f: Format| {
            rope.inv_freq()
                .iter()
                .map(|&t| (round(round(t, f) * 4096.0, Format::F32) - t * 4096.0).abs())
                .fold(0.0f64, f64::max)
        };
        assert!(worst(Format::Bf16) > 1.0, "{}", worst(Format::Bf16));
        assert!(worst(Format::F32) < 1e-3, "{}", worst(Format::F32));
    }

    #[test]
    fn exact_formats_have_no_error() {
        let rope = Rope::new(64, crate::BASE, crate::Layout::HalfSplit).unwrap();
        assert_eq!(errors_at(&rope, 12345, Format::F64).unwrap(), (0.0, 0.0));
        assert!(errors_at(&rope, 1 << 54, Format::F32).is_err());
    }
}
