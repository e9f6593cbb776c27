//! The experiment end to end. The committed results must come from the code's current
//! configuration (its fingerprint is in the file) and their tables from their data; a reduced
//! run (one seed, fewer steps) must show the claims the chapter makes that hold at any size.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::sync::atomic::{AtomicU64, Ordering};

use trained::experiment::{Config, Results, canary, run, spread};
use trained::figures::RESULTS;
use trained::{RopeScaling, Scheme, Variant, report};

const TABLES: &str = include_str!("../results/experiment.md");

fn accuracy(r: &Results, v: Variant, n: usize) -> Option<f64> {
    spread(r, v, n, |s| s.accuracy).map(|(mean, _, _)| mean)
}

const PI: Variant = Variant {
    scheme: Scheme::Rope,
    scaling: RopeScaling::Pi,
};
const YARN: Variant = Variant {
    scheme: Scheme::Rope,
    scaling: RopeScaling::Yarn,
};

/// The claims the chapter draws from the tables, for results of any size (`l` is the training
/// length).
fn robust_claims(r: &Results, l: usize) {
    // The learned table refuses past L, naming the first position without a row.
    assert_eq!(accuracy(r, Variant::plain(Scheme::Learned), 2 * l), None);
    assert_eq!(
        r.refusal,
        format!(
            "position {l} has no row: the table covers positions 0 to {}",
            l - 1
        )
    );
    // Every scheme that can build an offset head learns the task at L.
    for s in [
        Scheme::Sinusoidal,
        Scheme::Learned,
        Scheme::T5,
        Scheme::Rope,
    ] {
        let a = accuracy(r, Variant::plain(s), l).unwrap();
        assert!(a > 0.9, "{s} at L: {a}");
    }
    // NoPE and ALiBi cannot build one in this model (no MLP): far below at L.
    for s in [Scheme::NoPe, Scheme::Alibi] {
        let a = accuracy(r, Variant::plain(s), l).unwrap();
        assert!(a < 0.7, "{s} at L: {a}");
    }
    // Position interpolation without fine-tuning breaks the learned offset at 2L; YaRN keeps the
    // fast pair that carries it and holds; plain RoPE sits between.
    let (pi, yarn, plain) = (
        accuracy(r, PI, 2 * l).unwrap(),
        accuracy(r, YARN, 2 * l).unwrap(),
        accuracy(r, Variant::plain(Scheme::Rope), 2 * l).unwrap(),
    );
    assert!(pi < 0.3 && yarn > 0.9 && plain > pi, "{pi} {yarn} {plain}");
    // Sinusoidal falls by a third or more at 2L.
    let (s1, s2) = (
        accuracy(r, Variant::plain(Scheme::Sinusoidal), l).unwrap(),
        accuracy(r, Variant::plain(Scheme::Sinusoidal), 2 * l).unwrap(),
    );
    assert!(s2 < s1 - 0.3, "{s1} {s2}");
    // T5 buckets are still right most of the time at 2L.
    assert!(accuracy(r, Variant::plain(Scheme::T5), 2 * l).unwrap() > 0.8);
}

#[test]
fn the_committed_results_come_from_the_current_configuration() {
    let config = Config::full();
    let results = Results::from_csv(RESULTS).unwrap();
    assert_eq!(
        results.hash,
        config.hash(),
        "results/experiment.csv was made by another configuration: rerun `{}`",
        config.command()
    );
    // The code too: three training steps per scheme must still give the losses recorded.
    assert_eq!(
        results.canary,
        canary(&config).unwrap(),
        "results/experiment.csv was made by other code: rerun `{}`",
        config.command()
    );
    assert_eq!(
        TABLES,
        report::experiment(&config, &results, false).unwrap(),
        "results/experiment.md is not what its data gives"
    );
    assert_eq!(
        results.cells.len(),
        Variant::ALL.len() * config.seeds.len() * config.multiples.len()
    );
    assert_eq!(
        results.maps.iter().map(|m| m.nrows()).collect::<Vec<_>>(),
        [config.dims.train_len, 4 * config.dims.train_len]
    );
    robust_claims(&results, config.dims.train_len);
    // What the page says of the full run only: T5 is the best scheme evaluated as trained from 4L
    // on, and YaRN still reads the right token most of the time at 8L.
    let l = config.dims.train_len;
    for n in [4 * l, 8 * l] {
        let t5 = accuracy(&results, Variant::plain(Scheme::T5), n).unwrap();
        for s in [
            Scheme::NoPe,
            Scheme::Sinusoidal,
            Scheme::Alibi,
            Scheme::Rope,
        ] {
            assert!(
                t5 > accuracy(&results, Variant::plain(s), n).unwrap(),
                "{s} at {n}"
            );
        }
        assert!(accuracy(&results, YARN, n).unwrap() > t5.max(0.85));
    }
    // Plain RoPE holds at 2L and has degraded by 4L.
    let rope = Variant::plain(Scheme::Rope);
    assert!(accuracy(&results, rope, 2 * l).unwrap() > 0.9);
    assert!(accuracy(&results, rope, 4 * l).unwrap() < 0.7);
    // The RoPE head at 4L: reads three back for every query below 1.5 L; where it does not, it
    // reads an offset whose fastest angle (θ_0 = 1) aliases onto offset 3's, 3 + 2πk.
    let map = &results.maps[1];
    let mut aliased = 0;
    for i in 3..map.nrows() {
        let best = (0..=i).fold(0, |b, j| if map[[i, j]] > map[[i, b]] { j } else { b });
        if i < 3 * l / 2 {
            assert_eq!(best, i - 3, "query {i}");
        } else if best != i - 3 {
            let off = (i - best) as f64 - 3.0;
            let k = (off / std::f64::consts::TAU).round();
            assert!(
                k >= 1.0 && (off - k * std::f64::consts::TAU).abs() < 0.7,
                "query {i} reads offset {}",
                i - best
            );
            aliased += 1;
        }
    }
    assert!(aliased > 0);
    // NoPE and ALiBi are far below the others at L but above chance (1 in 15 tokens).
    for s in [Scheme::NoPe, Scheme::Alibi] {
        assert!(accuracy(&results, Variant::plain(s), l).unwrap() > 2.0 / 15.0);
    }
    // NoPE past L (the page's NoPE paragraph): from 4L on its accuracy range overlaps
    // sinusoidal's, so the two are not ranked; its loss stays below sinusoidal's at every length
    // past L and below plain RoPE's from 4L on, with ranges that do not overlap; its accuracy stays below
    // RoPE's and T5's at every length past L.
    let range = |v: Variant, n: usize, metric: fn(&trained::train::Score) -> f64| {
        let (_, lo, hi) = spread(&results, v, n, metric).unwrap();
        (lo, hi)
    };
    let (nope, sin) = (
        Variant::plain(Scheme::NoPe),
        Variant::plain(Scheme::Sinusoidal),
    );
    for n in [4 * l, 8 * l] {
        let (a, b) = (
            range(nope, n, |s| s.accuracy),
            range(sin, n, |s| s.accuracy),
        );
        assert!(
            a.0 <= b.1 && b.0 <= a.1,
            "NoPE {a:?} and sinusoidal {b:?} at {n}"
        );
    }
    for n in [2 * l, 4 * l, 8 * l] {
        let ours = range(nope, n, |s| s.loss);
        assert!(ours.1 < range(sin, n, |s| s.loss).0, "sinusoidal at {n}");
        let acc = range(nope, n, |s| s.accuracy);
        for s in [Scheme::Rope, Scheme::T5] {
            let theirs = range(Variant::plain(s), n, |s| s.accuracy);
            assert!(acc.1 < theirs.0, "{s} at {n}: {acc:?} {theirs:?}");
        }
        if n >= 4 * l {
            assert!(ours.1 < range(rope, n, |s| s.loss).0, "RoPE at {n}");
        }
    }
    // The CSV round-trips.
    assert_eq!(Results::from_csv(&results.to_csv()).unwrap(), results);
}

#[test]
fn a_reduced_run_shows_the_robust_claims() {
    let config = Config::reduced();
    let steps = AtomicU64::new(0);
    let results = run(&config, &|| {
        steps.fetch_add(1, Ordering::Relaxed);
    })
    .unwrap();
    assert_eq!(steps.into_inner(), config.total_steps());
    assert_eq!(results.hash, config.hash());
    assert_eq!(results.canary, canary(&config).unwrap());
    robust_claims(&results, config.dims.train_len);
    // A results file from another configuration is refused.
    assert!(report::experiment(&Config::full(), &results, false).is_err());
    // Same seeds, same bits: a second run of one scheme repeats the first exactly, and the
    // models trained two at a time by `train_all` are the ones `train` makes one at a time (a
    // short schedule: determinism does not need the whole run).
    let short = trained::train::Schedule {
        steps: 20,
        ..config.schedule
    };
    let again = trained::model::Model::new(Scheme::T5, config.dims, 0).unwrap();
    let mut a = again.clone();
    let mut b = again;
    trained::train::train(&mut a, &short, 0, || {}).unwrap();
    trained::train::train(&mut b, &short, 0, || {}).unwrap();
    assert_eq!(a, b);
    let jobs = [(Scheme::Alibi, 1), (Scheme::T5, 0), (Scheme::Rope, 2)];
    let both = trained::train::train_all(&jobs, config.dims, &short, &|| {}).unwrap();
    assert_eq!(both[1], a);
    for (model, &(scheme, seed)) in both.iter().zip(&jobs) {
        let mut alone = trained::model::Model::new(scheme, config.dims, seed).unwrap();
        trained::train::train(&mut alone, &short, seed, || {}).unwrap();
        assert_eq!(model, &alone);
    }
    let refused = trained::train::Schedule { steps: 0, ..short };
    assert!(trained::train::train_all(&jobs, config.dims, &refused, &|| {}).is_err());
    assert!(
        trained::train::train_all(&[], config.dims, &short, &|| {})
            .unwrap()
            .is_empty()
    );
}

#[test]
fn bad_configurations_are_refused() {
    let mut c = Config::reduced();
    c.seeds.clear();
    assert!(run(&c, &|| {}).is_err());
    let mut c = Config::reduced();
    c.multiples = vec![0];
    assert!(run(&c, &|| {}).is_err());
    assert!(Results::from_csv("NoPE,x,16,0.5,1.0\n").is_err());
}
