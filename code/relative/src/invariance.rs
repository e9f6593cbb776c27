//! Translation invariance, checkably: a scheme is relative if shifting every position by the same
//! `c` leaves every attention logit unchanged. Every scheme in the book implements
//! [`PositionScheme`], and one property test runs them all.

use attention::Head;
use ndarray::{Array2, ArrayView2};
use order::PositionTable;

use crate::shaw::Shaw;
use crate::t5::T5Bias;
use errors::bad;

use crate::Error;

pub use attention::scheme::{PositionScheme, translation_gap};

fn check_positions(x: ArrayView2<'_, f64>, positions: &[usize]) -> Result<(), Error> {
    if positions.len() != x.nrows() {
        return Err(bad(
            "positions",
            format!("{} of them for {} tokens", positions.len(), x.nrows()),
            "give one position per token",
        ));
    }
    Ok(())
}

fn project(head: &Head, x: ArrayView2<'_, f64>) -> Result<(Array2<f64>, Array2<f64>), Error> {
    if x.ncols() != head.w_q.nrows() {
        return Err(errors::shape(
            "tokens must be d_model wide, as the head expects",
            vec![x.nrows(), head.w_q.nrows()],
            x.shape().to_vec(),
        ));
    }
    Ok((x.dot(&head.w_q), x.dot(&head.w_k)))
}

fn plain_logits(
    q: &Array2<f64>,
    k: &Array2<f64>,
    bias: Option<&Array2<f64>>,
    scale: Option<f64>,
) -> Result<Array2<f64>, Error> {
    let options = attention::Options {
        bias: bias.map(|b| b.view()),
        causal: false,
        scale,
    };
    attention::logits(q.view(), k.view(), &options)
}

/// Absolute: the sinusoidal encoding added to the tokens (chapter 2).
#[derive(Debug, Clone)]
pub struct SinusoidalScheme {
    /// The head the logits come from.
    pub head: Head,
}

impl PositionScheme for SinusoidalScheme {
    fn name(&self) -> String {
        "sinusoidal (absolute)".into()
    }

    fn logits(&self, x: ArrayView2<'_, f64>, positions: &[usize]) -> Result<Array2<f64>, Error> {
        check_positions(x, positions)?;
        let enc = sinusoidal::Sinusoid::paper(x.ncols())
            .map_err(|e| bad("d_model", e, "the encoding needs an even width"))?;
        let mut with = x.to_owned();
        for (mut row, &p) in with.rows_mut().into_iter().zip(positions) {
            row += &enc.encode(p);
        }
        let (q, k) = project(&self.head, with.view())?;
        plain_logits(&q, &k, None, None)
    }
}

/// Absolute: a learned table added to the tokens (chapter 3).
#[derive(Debug, Clone)]
pub struct LearnedScheme {
    /// The head the logits come from.
    pub head: Head,
    /// The position table.
    pub table: PositionTable,
}

impl PositionScheme for LearnedScheme {
    fn name(&self) -> String {
        "learned table (absolute)".into()
    }

    fn logits(&self, x: ArrayView2<'_, f64>, positions: &[usize]) -> Result<Array2<f64>, Error> {
        check_positions(x, positions)?;
        let mut with = x.to_owned();
        for (mut row, &p) in with.rows_mut().into_iter().zip(positions) {
            let v = self.table.lookup(p)?;
            if v.len() != row.len() {
                return Err(bad(
                    "table width",
                    v.len(),
                    "the table must be as wide as the tokens",
                ));
            }
            row += &v;
        }
        let (q, k) = project(&self.head, with.view())?;
        plain_logits(&q, &k, None, None)
    }
}

/// Relative: Shaw et al.'s key term (`q_i · (k_j + a^K_ij)`).
#[derive(Debug, Clone)]
pub struct ShawScheme {
    /// The head the logits come from.
    pub head: Head,
    /// The relative tables (as wide as the head's `d_k`).
    pub shaw: Shaw,
}

impl PositionScheme for ShawScheme {
    fn name(&self) -> String {
        format!("Shaw et al., Δ_max = {} (relative)", self.shaw.k())
    }

    fn logits(&self, x: ArrayView2<'_, f64>, positions: &[usize]) -> Result<Array2<f64>, Error> {
        check_positions(x, positions)?;
        let (q, k) = project(&self.head, x)?;
        let terms = self.shaw.key_terms(q.view())?;
        let scale = 1.0 / (q.ncols() as f64).sqrt();
        Ok(Array2::from_shape_fn((x.nrows(), x.nrows()), |(i, j)| {
            (q.row(i).dot(&k.row(j)) + terms.at(i, positions[i], positions[j])) * scale
        }))
    }
}

/// Relative: T5's bucketed biases (no `1/√d` scaling, as in T5).
#[derive(Debug, Clone)]
pub struct T5Scheme {
    /// The head the logits come from.
    pub head: Head,
    /// The bias table.
    pub bias: T5Bias,
    /// Which column of the table this head uses.
    pub index: usize,
}

impl PositionScheme for T5Scheme {
    fn name(&self) -> String {
        "T5 buckets (relative)".into()
    }

    fn logits(&self, x: ArrayView2<'_, f64>, positions: &[usize]) -> Result<Array2<f64>, Error> {
        check_positions(x, positions)?;
        let (q, k) = project(&self.head, x)?;
        let mut b = Array2::zeros((x.nrows(), x.nrows()));
        for ((i, j), v) in b.indexed_iter_mut() {
            *v = self.bias.at(self.index, positions[i], positions[j])?;
        }
        plain_logits(&q, &k, Some(&b), Some(1.0))
    }
}

/// Relative: ALiBi's linear bias, symmetric form `−m |p_i − p_j|`.
#[derive(Debug, Clone)]
pub struct AlibiScheme {
    /// The head the logits come from.
    pub head: Head,
    /// The head's slope.
    pub slope: f64,
}

impl PositionScheme for AlibiScheme {
    fn name(&self) -> String {
        format!("ALiBi, mₕ = {} (relative)", self.slope)
    }

    fn logits(&self, x: ArrayView2<'_, f64>, positions: &[usize]) -> Result<Array2<f64>, Error> {
        check_positions(x, positions)?;
        let (q, k) = project(&self.head, x)?;
        let b = Array2::from_shape_fn((x.nrows(), x.nrows()), |(i, j)| {
            -self.slope * (positions[i] as f64 - positions[j] as f64).abs()
        });
        plain_logits(&q, &k, Some(&b), None)
    }
}

/// The chapter's line-up: every scheme built on the same random head of width `d` (even).
///
/// # Errors
/// An odd or zero `d`.
pub fn all_schemes(d: usize, seed: u64) -> Result<Vec<Box<dyn PositionScheme>>, Error> {
    if d == 0 || d % 2 == 1 {
        return Err(bad("d", d, "the line-up needs an even, positive width"));
    }
    let mut rng = bookkit::rng::SplitMix64(seed);
    let scale = 1.0 / (d as f64).sqrt();
    let mut draw = || Array2::from_shape_fn((d, d), |_| scale * rng.next_gaussian());
    let head = Head::new(draw(), draw(), draw())?;
    let table = learned::init_table(1024, d, 0.5, seed ^ 0xA5)?;
    Ok(vec![
        Box::new(SinusoidalScheme { head: head.clone() }),
        Box::new(LearnedScheme {
            head: head.clone(),
            table,
        }),
        Box::new(ShawScheme {
            head: head.clone(),
            shaw: Shaw::seeded(4, d, seed ^ 0x5A)?,
        }),
        Box::new(T5Scheme {
            head: head.clone(),
            bias: T5Bias::seeded(crate::t5::Buckets::T5, 1, seed ^ 0x77)?,
            index: 0,
        }),
        Box::new(AlibiScheme { head, slope: 0.25 }),
    ])
}
