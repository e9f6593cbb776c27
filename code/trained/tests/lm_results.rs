//! Every claim the page's sentences make about experiment 1 (`src/trained.md`, "Train short,
//! test long" on real text), checked against the committed CSV. A claim that one variant is
//! lower than another holds only when their ranges over the seeds do not overlap
//! ([`Range::below`]); "in every seed" is checked seed by seed.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use trained::lm::runs::Setup;
use trained::lm_results::{LmResults, Range, slow_pairs, t5_untrained};

const AS_TRAINED: [&str; 6] = [
    "NoPE",
    "sinusoidal",
    "learned",
    "T5 buckets",
    "ALiBi",
    "RoPE",
];
const ROPE: [&str; 5] = [
    "RoPE",
    "RoPE + PI",
    "RoPE + NTK",
    "RoPE + dynamic NTK",
    "RoPE + YaRN",
];

/// The bigram on the same held-out characters.
fn bigram() -> f64 {
    static B: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *B.get_or_init(|| trained::lm_results::bigram_bits(&Setup::full()).unwrap())
}

struct Check {
    r: LmResults,
    l: usize,
}

impl Check {
    fn new() -> Check {
        Check {
            r: LmResults::committed().unwrap(),
            l: Setup::full().shape.train_len,
        }
    }

    fn range(&self, name: &str, m: usize) -> Range {
        self.r.range(name, m * self.l).unwrap()
    }

    fn below(&self, a: &str, b: &str, m: usize) -> bool {
        self.range(a, m).below(&self.range(b, m))
    }

    fn overlap(&self, a: &str, b: &str, m: usize) -> bool {
        !self.below(a, b, m) && !self.below(b, a, m)
    }

    fn seeds(&self, name: &str, m: usize) -> Vec<f64> {
        self.r.values(name, m * self.l).unwrap().to_vec()
    }

    fn names(&self) -> Vec<String> {
        self.r.lines.iter().map(|l| l.name()).collect()
    }
}

#[test]
fn at_l_rope_leads_and_nope_trails() {
    let c = Check::new();
    // "RoPE's range lies below every other scheme's at L."
    for s in AS_TRAINED.iter().filter(|s| **s != "RoPE") {
        assert!(c.below("RoPE", s, 1), "RoPE below {s} at L");
    }
    // "Sinusoidal and ALiBi overlap there; both lie below T5, T5 below learned, learned below
    // NoPE."
    assert!(c.overlap("sinusoidal", "ALiBi", 1));
    assert!(c.below("sinusoidal", "T5 buckets", 1) && c.below("ALiBi", "T5 buckets", 1));
    assert!(c.below("T5 buckets", "learned", 1) && c.below("learned", "NoPE", 1));
    // "Every model, at L, is better than the bigram, in every seed."
    let b = bigram();
    for s in AS_TRAINED {
        assert!(c.range(s, 1).hi < b, "{s} below the bigram at L");
    }
    // The four test-time changes leave every RoPE model as it is at L.
    for s in ROPE {
        assert_eq!(c.seeds(s, 1), c.seeds("RoPE", 1), "{s} at L");
    }
}

#[test]
fn alibi_falls_at_every_doubling_and_leads_from_4l() {
    let c = Check::new();
    let ms = Setup::full().multiples;
    // "ALiBi's bits per character fall at every doubling, in every seed."
    for w in ms.windows(2) {
        let (a, b) = (c.seeds("ALiBi", w[0]), c.seeds("ALiBi", w[1]));
        assert!(a.iter().zip(&b).all(|(a, b)| b < a), "{w:?}: {a:?} {b:?}");
    }
    // From 4L on, ALiBi's range lies below every other variant's.
    for m in [4, 8, 16] {
        for name in c.names().iter().filter(|n| *n != "ALiBi") {
            if c.r.values(name, m * c.l).is_ok() {
                assert!(c.below("ALiBi", name, m), "ALiBi below {name} at {m}L");
            }
        }
    }
    // "At 2L, NTK-aware, dynamic NTK and YaRN lie below ALiBi; their ranges overlap (NTK's
    // overlaps both others'), so they are not ranked."
    for s in ["RoPE + NTK", "RoPE + dynamic NTK", "RoPE + YaRN"] {
        assert!(c.below(s, "ALiBi", 2), "{s} below ALiBi at 2L");
    }
    assert!(c.overlap("RoPE + NTK", "RoPE + dynamic NTK", 2));
    assert!(c.overlap("RoPE + NTK", "RoPE + YaRN", 2));
    // "ALiBi lies below plain RoPE from 2L on."
    for m in [2, 4, 8, 16] {
        assert!(c.below("ALiBi", "RoPE", m), "{m}L");
    }
}

#[test]
fn every_other_scheme_as_trained_rises_at_every_doubling() {
    let c = Check::new();
    let ms = Setup::full().multiples;
    for s in ["NoPE", "sinusoidal", "T5 buckets", "RoPE"] {
        for w in ms.windows(2) {
            let (a, b) = (c.seeds(s, w[0]), c.seeds(s, w[1]));
            assert!(a.iter().zip(&b).all(|(a, b)| b > a), "{s} {w:?}");
        }
    }
    // The learned table refuses every length past L.
    for m in &ms[1..] {
        assert!(c.r.values("learned", m * c.l).is_err());
    }
    // "Sinusoidal's step from L to 2L is the largest of any scheme as trained, in every seed."
    let step = |s: &str| -> Vec<f64> { c.r.change(s, c.l, 2 * c.l).unwrap() };
    for s in ["NoPE", "T5 buckets", "ALiBi", "RoPE"] {
        for (a, b) in step("sinusoidal").iter().zip(step(s)) {
            assert!(*a > b, "sinusoidal's step above {s}'s");
        }
    }
    // "From 2L on, sinusoidal is worse than the bigram, in every seed."
    for m in [2, 4, 8, 16] {
        assert!(c.range("sinusoidal", m).lo > bigram(), "{m}L");
    }
}

#[test]
fn t5_and_rope_cross_between_2l_and_4l() {
    let c = Check::new();
    // "From L to 16L T5 rises by less than RoPE, in every seed."
    let (t5, rope) = (
        c.r.change("T5 buckets", c.l, 16 * c.l).unwrap(),
        c.r.change("RoPE", c.l, 16 * c.l).unwrap(),
    );
    assert!(t5.iter().zip(&rope).all(|(a, b)| a < b), "{t5:?} {rope:?}");
    // "Sinusoidal lies above RoPE from 2L to 8L; by 16L their ranges overlap."
    for m in [2, 4, 8] {
        assert!(c.below("RoPE", "sinusoidal", m), "{m}L");
    }
    assert!(c.overlap("RoPE", "sinusoidal", 16));
    for m in [1, 2] {
        assert!(c.below("RoPE", "T5 buckets", m), "{m}L");
    }
    for m in [4, 8, 16] {
        assert!(c.below("T5 buckets", "RoPE", m), "{m}L");
    }
}

#[test]
fn nope_loses_less_past_l_than_rope_and_sinusoidal() {
    let c = Check::new();
    // "NoPE lies above every other scheme at L" is in the first test; past L:
    // below sinusoidal at every length past L,
    for m in [2, 4, 8, 16] {
        assert!(c.below("NoPE", "sinusoidal", m), "{m}L");
    }
    // level with plain RoPE at 8L (overlapping), below it at 16L,
    assert!(c.overlap("NoPE", "RoPE", 8));
    assert!(c.below("NoPE", "RoPE", 16));
    // and above T5 at every length.
    for m in [1, 2, 4, 8, 16] {
        assert!(c.below("T5 buckets", "NoPE", m), "{m}L");
    }
    // Its rise from L to 16L: below RoPE's and sinusoidal's (ranges over the seeds apart), and
    // overlapping T5's (not ranked).
    let rise = |s: &str| Range::of(&c.r.change(s, c.l, 16 * c.l).unwrap());
    assert!(rise("NoPE").below(&rise("RoPE")));
    assert!(rise("NoPE").below(&rise("sinusoidal")));
    assert!(!rise("NoPE").below(&rise("T5 buckets")) && !rise("T5 buckets").below(&rise("NoPE")));
}

#[test]
fn the_test_time_changes_of_rope() {
    let c = Check::new();
    // "PI is the worst row of the table at every length past L."
    for m in [2, 4, 8, 16] {
        for name in c.names().iter().filter(|n| *n != "RoPE + PI") {
            if c.r.values(name, m * c.l).is_ok() {
                assert!(c.below(name, "RoPE + PI", m), "{name} below PI at {m}L");
            }
        }
    }
    // "Every other change lies below plain RoPE at every length past L."
    for s in ["RoPE + NTK", "RoPE + dynamic NTK", "RoPE + YaRN"] {
        for m in [2, 4, 8, 16] {
            assert!(c.below(s, "RoPE", m), "{s} below RoPE at {m}L");
        }
    }
    // "From 4L on, YaRN lies below every other RoPE row, and below every scheme but ALiBi."
    for m in [4, 8, 16] {
        for name in c
            .names()
            .iter()
            .filter(|n| *n != "RoPE + YaRN" && *n != "ALiBi")
        {
            if c.r.values(name, m * c.l).is_ok() {
                assert!(c.below("RoPE + YaRN", name, m), "YaRN below {name} at {m}L");
            }
        }
    }
    // "NTK-aware and dynamic NTK overlap at every length but 8L, where dynamic NTK is lower."
    for m in [2, 4, 16] {
        assert!(c.overlap("RoPE + NTK", "RoPE + dynamic NTK", m), "{m}L");
    }
    assert!(c.below("RoPE + dynamic NTK", "RoPE + NTK", 8));
    // "At 16L only ALiBi and YaRN are better than the bigram, in every seed; every other
    // model is worse than it, in every seed."
    let b = bigram();
    for name in c.names() {
        if let Ok(v) = c.r.values(&name, 16 * c.l) {
            let r = Range::of(v);
            if name == "ALiBi" || name == "RoPE + YaRN" {
                assert!(r.hi < b, "{name} below the bigram at 16L");
            } else {
                assert!(r.lo > b, "{name} above the bigram at 16L");
            }
        }
    }
}

#[test]
fn the_mechanisms_the_page_names() {
    let setup = Setup::full();
    // RoPE: a head of 32 dimensions has 16 pairs, 11 of which turn less than once within L.
    assert_eq!(setup.shape.d_model / setup.shape.heads, 32);
    assert_eq!(slow_pairs(&setup).unwrap(), (11, 16));
    // T5: buckets reached only past L.
    assert_eq!(t5_untrained(&setup), Some((27, 31)));
}
