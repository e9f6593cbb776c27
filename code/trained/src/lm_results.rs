//! Experiment 1's committed results (`results/lm-experiment.csv`, written by
//! [`crate::lm::runs::COMMAND`]) read back, so that the page's tables, figure and sentences are
//! drawn from the same numbers: per variant (a scheme, and for RoPE a test-time change) and
//! evaluation length, every seed's bits per character, or a refusal.
//!
//! The chapter ranks two variants at a length only when their ranges over the seeds do not
//! overlap ([`Range::below`]); a gap inside the spread of the seeds is not ranked.

use errors::bad;

use crate::lm::TestScaling;
use crate::lm::runs::Setup;
use crate::{Error, Scheme};

/// The committed results of experiment 1.
pub const CSV: &str = include_str!("../results/lm-experiment.csv");

/// The bigram baseline (`crate::text::Bigram`, counted on the training part with the smoothing of
/// `crate::text::baseline::Config::book`) scored on exactly the held-out characters experiment 1
/// scores (`setup.eval_tokens` of them), in bits per character. It reads one character back, so
/// the length does not matter; it is scored at `L`.
///
/// # Errors
/// A missing or corrupt corpus, a setup that asks for more held-out text than there is.
pub fn bigram_bits(setup: &Setup) -> Result<f64, Error> {
    let corpus = crate::text::Corpus::kjv()?;
    let bigram =
        crate::text::Bigram::fit(corpus.train(), crate::text::baseline::Config::book().alpha)?;
    let held = corpus.held_out();
    let text = held.get(..setup.eval_tokens).ok_or_else(|| {
        bad(
            "eval_tokens",
            setup.eval_tokens,
            format!("the held-out block has {} tokens", held.len()),
        )
    })?;
    crate::text::eval::bits_per_char(&bigram, text, setup.shape.train_len, || {})
}

/// The CSV's header line.
pub const HEADER: &str = "scheme,scaling,seed,n,bits_per_char,final_loss";

/// One variant's results: per evaluation length, the seeds' bits per character in seed order,
/// or `None` where the model refused the length.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The scheme trained.
    pub scheme: Scheme,
    /// The test-time change it was read with.
    pub scaling: TestScaling,
    /// `(n, values)` in the file's order of lengths.
    pub cells: Vec<(usize, Option<Vec<f64>>)>,
}

impl Line {
    /// The name the tables use (`RoPE + YaRN`).
    pub fn name(&self) -> String {
        format!("{}{}", self.scheme.name(), self.scaling.suffix())
    }

    /// The seeds' values at length `n`, `None` where refused or not scored.
    pub fn at(&self, n: usize) -> Option<&[f64]> {
        self.cells
            .iter()
            .find(|(m, _)| *m == n)
            .and_then(|(_, v)| v.as_deref())
    }
}

/// The mean and the range of the seeds' values at one length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// The mean over the seeds.
    pub mean: f64,
    /// The lowest seed's value.
    pub lo: f64,
    /// The highest seed's value.
    pub hi: f64,
}

impl Range {
    /// The range of `values` (at least one).
    ///
    /// ```
    /// let r = trained::lm_results::Range::of(&[2.0, 1.0, 3.0]);
    /// assert_eq!((r.mean, r.lo, r.hi), (2.0, 1.0, 3.0));
    /// ```
    pub fn of(values: &[f64]) -> Range {
        Range {
            mean: values.iter().sum::<f64>() / values.len().max(1) as f64,
            lo: values.iter().copied().fold(f64::INFINITY, f64::min),
            hi: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }

    /// Every seed of `self` below every seed of `other`: the ranges do not overlap, so `self`
    /// is ranked lower (better, in bits per character).
    ///
    /// ```
    /// use trained::lm_results::Range;
    /// let (a, b) = (Range::of(&[1.0, 1.2]), Range::of(&[1.3, 1.5]));
    /// assert!(a.below(&b) && !b.below(&a));
    /// let c = Range::of(&[1.1, 1.4]);
    /// assert!(!a.below(&c) && !c.below(&a)); // overlapping: not ranked
    /// ```
    pub fn below(&self, other: &Range) -> bool {
        self.hi < other.lo
    }
}

/// Experiment 1's results, one [`Line`] per variant in the file's order.
#[derive(Debug, Clone, PartialEq)]
pub struct LmResults {
    /// The seeds, in the file's order.
    pub seeds: Vec<u64>,
    /// The evaluation lengths, in the file's order.
    pub lengths: Vec<usize>,
    /// One line per variant.
    pub lines: Vec<Line>,
}

fn scheme_named(name: &str) -> Option<Scheme> {
    Scheme::ALL.into_iter().find(|s| s.name() == name)
}

fn scaling_named(name: &str) -> Option<TestScaling> {
    TestScaling::ALL
        .into_iter()
        .find(|s| format!("{s:?}") == name)
}

impl LmResults {
    /// The committed results ([`CSV`]).
    ///
    /// # Errors
    /// A file that does not parse ([`LmResults::parse`]).
    pub fn committed() -> Result<LmResults, Error> {
        LmResults::parse(CSV)
    }

    /// Reads a file written by [`crate::lm::runs::csv`].
    ///
    /// # Errors
    /// Another header, a line without six fields, an unknown scheme or test-time change, a seed,
    /// length or value that is not a number (or not finite), a variant whose seeds or lengths
    /// differ from the first variant's, a length refused by some seeds only: each named with
    /// its line.
    ///
    /// ```
    /// use trained::lm_results::LmResults;
    /// let csv = "scheme,scaling,seed,n,bits_per_char,final_loss\n\
    ///            ALiBi,None,0,64,2.3,1.4\nALiBi,None,0,128,2.2,1.4\n";
    /// let r = LmResults::parse(csv)?;
    /// assert_eq!((r.lengths.clone(), r.lines[0].name()), (vec![64, 128], "ALiBi".to_string()));
    /// assert!(LmResults::parse("scheme,n\n").unwrap_err().to_string().contains("header"));
    /// # Ok::<(), trained::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<LmResults, Error> {
        let mut lines = text.lines();
        let head = lines.next().unwrap_or_default();
        if head != HEADER {
            return Err(bad(
                "results header",
                format!("{head:?}"),
                format!("the first line must be {HEADER:?}"),
            ));
        }
        let mut out: Vec<Line> = Vec::new();
        let mut seeds: Vec<u64> = Vec::new();
        for (k, line) in lines.enumerate() {
            let at = |what: &'static str, value: &str, rule: &'static str| {
                bad(what, format!("{value:?} on results line {}", k + 2), rule)
            };
            let f: Vec<&str> = line.split(',').collect();
            if f.len() != 6 {
                return Err(at("results line", line, "a line has six fields"));
            }
            let scheme = scheme_named(f[0])
                .ok_or_else(|| at("scheme", f[0], "a scheme name of `Scheme::name`"))?;
            let scaling = scaling_named(f[1])
                .ok_or_else(|| at("scaling", f[1], "None, Pi, Ntk, DynamicNtk or Yarn"))?;
            let seed: u64 = f[2]
                .parse()
                .map_err(|_| at("seed", f[2], "a seed is a whole number"))?;
            let n: usize = f[3]
                .parse()
                .map_err(|_| at("length", f[3], "a length is a whole number"))?;
            let value = if f[4].is_empty() {
                None
            } else {
                let v: f64 = f[4]
                    .parse()
                    .ok()
                    .filter(|v: &f64| v.is_finite())
                    .ok_or_else(|| at("bits_per_char", f[4], "a finite number"))?;
                Some(v)
            };
            if !seeds.contains(&seed) {
                seeds.push(seed);
            }
            let i = match out
                .iter()
                .position(|l| l.scheme == scheme && l.scaling == scaling)
            {
                Some(i) => i,
                None => {
                    out.push(Line {
                        scheme,
                        scaling,
                        cells: Vec::new(),
                    });
                    out.len() - 1
                }
            };
            let cells = &mut out[i].cells;
            let c = match cells.iter().position(|(m, _)| *m == n) {
                Some(c) => c,
                None => {
                    cells.push((n, value.map(|_| Vec::new())));
                    cells.len() - 1
                }
            };
            match (&mut cells[c].1, value) {
                (Some(v), Some(x)) => v.push(x),
                (None, None) => {}
                _ => {
                    return Err(at(
                        "results line",
                        line,
                        "a length is refused by every seed or by none",
                    ));
                }
            }
        }
        let lengths: Vec<usize> = out
            .first()
            .map(|l| l.cells.iter().map(|(n, _)| *n).collect())
            .unwrap_or_default();
        for l in &out {
            let ns: Vec<usize> = l.cells.iter().map(|(n, _)| *n).collect();
            let full = l
                .cells
                .iter()
                .all(|(_, v)| v.as_ref().is_none_or(|v| v.len() == seeds.len()));
            if ns != lengths || !full {
                return Err(bad(
                    "results variant",
                    l.name(),
                    format!(
                        "every variant has the lengths {lengths:?} and one value per seed ({} seeds)",
                        seeds.len()
                    ),
                ));
            }
        }
        Ok(LmResults {
            seeds,
            lengths,
            lines: out,
        })
    }

    /// The variant named `name`.
    ///
    /// # Errors
    /// No such variant.
    pub fn line(&self, name: &str) -> Result<&Line, Error> {
        self.lines.iter().find(|l| l.name() == name).ok_or_else(|| {
            let names: Vec<String> = self.lines.iter().map(Line::name).collect();
            bad("variant", name, format!("one of {}", names.join(", ")))
        })
    }

    /// The seeds' values of `name` at length `n`.
    ///
    /// # Errors
    /// No such variant, or a length it refused or was not scored at.
    pub fn values(&self, name: &str, n: usize) -> Result<&[f64], Error> {
        self.line(name)?
            .at(n)
            .ok_or_else(|| bad("length", n, format!("{name} has no values at it")))
    }

    /// The [`Range`] of `name` at length `n`.
    ///
    /// # Errors
    /// As [`LmResults::values`].
    pub fn range(&self, name: &str, n: usize) -> Result<Range, Error> {
        Ok(Range::of(self.values(name, n)?))
    }

    /// Seed by seed, the value of `name` at `to` minus its value at `from`.
    ///
    /// # Errors
    /// As [`LmResults::values`].
    pub fn change(&self, name: &str, from: usize, to: usize) -> Result<Vec<f64>, Error> {
        let (a, b) = (self.values(name, from)?, self.values(name, to)?);
        Ok(a.iter().zip(b).map(|(a, b)| b - a).collect())
    }

    /// The variants scored at `n`, lowest mean first. At the training length (the first
    /// length), a RoPE row whose test-time change leaves every seed's value as plain RoPE's is
    /// left out: it is the same model read the same way.
    pub fn scored_at(&self, n: usize) -> Vec<(String, Range)> {
        let plain = self
            .lines
            .iter()
            .find(|l| l.scheme == Scheme::Rope && l.scaling == TestScaling::None)
            .and_then(|l| l.at(n));
        let mut v: Vec<(String, Range)> = self
            .lines
            .iter()
            .filter(|l| l.scaling == TestScaling::None || l.at(n) != plain)
            .filter_map(|l| l.at(n).map(|v| (l.name(), Range::of(v))))
            .collect();
        v.sort_by(|a, b| a.1.mean.total_cmp(&b.1.mean));
        v
    }

    /// The variants at `n` from lowest to highest mean, each pair of neighbours joined by `<`
    /// where their ranges do not overlap and by `≈` where they do.
    ///
    /// ```
    /// use trained::lm_results::LmResults;
    /// let r = LmResults::committed()?;
    /// assert!(r.order(1024).starts_with("ALiBi < RoPE + YaRN <"));
    /// # Ok::<(), trained::Error>(())
    /// ```
    pub fn order(&self, n: usize) -> String {
        let v = self.scored_at(n);
        let mut s = String::new();
        for (k, (name, r)) in v.iter().enumerate() {
            if k > 0 {
                s.push_str(if v[k - 1].1.below(r) { " < " } else { " ≈ " });
            }
            s.push_str(name);
        }
        s
    }
}

/// The order of the variants at every length, as a table (one row per length, both columns
/// left-aligned: the second holds words).
pub fn order_table(setup: &Setup, r: &LmResults) -> String {
    let l = setup.shape.train_len;
    let mut t = String::from("| length | lowest bits per character first |\n|:--|:--|\n");
    for &n in &r.lengths {
        t.push_str(&format!("| {}L = {n} | {} |\n", n / l, r.order(n)));
    }
    t
}

/// `lo to hi` of `values` with 3 decimals (`0.033 to 0.039`).
pub fn span(values: &[f64]) -> String {
    let r = Range::of(values);
    format!("{:.3} to {:.3}", r.lo, r.hi)
}

/// How many of a head's RoPE pairs turn less than once within `L` (their wavelength `2π/θ_j`
/// is longer than `L`), and how many pairs a head has, for `setup`'s shape.
///
/// # Errors
/// A shape chapter 5's code refuses.
pub fn slow_pairs(setup: &Setup) -> Result<(usize, usize), Error> {
    let cfg = crate::lm::Config {
        scheme: Scheme::Rope,
        ..setup.shape
    };
    let (inv, _) = crate::lm::rope_frequencies(&cfg, TestScaling::None, cfg.train_len)?;
    let l = cfg.train_len as f64;
    let slow = inv
        .iter()
        .filter(|&&t| 2.0 * std::f64::consts::PI / t > l)
        .count();
    Ok((slow, inv.len()))
}

/// T5's buckets (chapter 4's causal buckets) that offsets `L` to `16L − 1` reach and no offset
/// below `L` does, as `(first, last)`: the model never trains them, and their bias keeps its
/// initial 0. `None` when every bucket reached past `L` was reached within it.
pub fn t5_untrained(setup: &Setup) -> Option<(usize, usize)> {
    let b = crate::heads::causal_buckets();
    let l = setup.shape.train_len;
    let longest = setup.lengths().into_iter().max().unwrap_or(l);
    let bucket = |d: usize| relative::t5::bucket(-(d as i64), b);
    let trained: Vec<usize> = (0..l).map(bucket).collect();
    let fresh: Vec<usize> = (l..longest)
        .map(bucket)
        .filter(|k| !trained.contains(k))
        .collect();
    Some((*fresh.iter().min()?, *fresh.iter().max()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_files_are_refused_with_their_line() {
        let ok = format!("{HEADER}\nALiBi,None,0,64,2.3,1.4\n");
        assert!(LmResults::parse(&ok).is_ok());
        for (bad_line, says) in [
            ("ALiBi,None,0,64,2.3", "six fields"),
            ("Nope,None,0,64,2.3,1.4", "scheme"),
            ("ALiBi,Linear,0,64,2.3,1.4", "Yarn"),
            ("ALiBi,None,x,64,2.3,1.4", "seed"),
            ("ALiBi,None,0,6.4,2.3,1.4", "length"),
            ("ALiBi,None,0,64,NaN,1.4", "finite"),
            ("ALiBi,None,0,64,,1.4", "every seed or by none"),
        ] {
            let e = LmResults::parse(&format!("{ok}{bad_line}\n")).unwrap_err();
            assert!(e.to_string().contains(says), "{bad_line}: {e}");
            assert!(e.to_string().contains("line 3"), "{bad_line}: {e}");
        }
        // A second seed missing one length of a variant.
        let short = format!("{ok}ALiBi,None,1,64,2.4,1.4\nRoPE,None,0,64,2.2,1.3\n");
        let e = LmResults::parse(&short).unwrap_err();
        assert!(e.to_string().contains("RoPE"), "{e}");
    }

    #[test]
    fn the_committed_file_has_every_variant_seed_and_length() {
        let r = LmResults::committed().unwrap();
        assert_eq!(r.seeds, Setup::full().seeds);
        assert_eq!(r.lengths, Setup::full().lengths());
        assert_eq!(r.lines.len(), 10);
        let e = r.values("learned", 128).unwrap_err();
        assert!(e.to_string().contains("learned"), "{e}");
        assert!(r.line("GPT").unwrap_err().to_string().contains("ALiBi"));
    }

    #[test]
    fn order_joins_neighbours_by_their_ranges() {
        let csv = format!(
            "{HEADER}\nALiBi,None,0,8,1.0,0\nRoPE,None,0,8,1.1,0\nNoPE,None,0,8,2.0,0\n\
             ALiBi,None,1,8,1.2,0\nRoPE,None,1,8,1.3,0\nNoPE,None,1,8,2.1,0\n"
        );
        let r = LmResults::parse(&csv).unwrap();
        assert_eq!(r.order(8), "ALiBi ≈ RoPE < NoPE");
        assert_eq!(span(&r.change("ALiBi", 8, 8).unwrap()), "0.000 to 0.000");
    }
}
