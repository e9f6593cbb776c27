//! The language models' experiments: the test command's reduced run of every part, end to end
//! and shared (one run of experiment 1, whose models are probed and fine-tuned), asserting only
//! what holds at that size in every seed; and the committed full results checked against the
//! code's configuration and canary, their tables against their data, and the claims the chapter
//! draws from them.

#![allow(clippy::unwrap_used)]

use trained::Scheme;
use trained::lm::finetune::{self, Checkpoint, Extension};
use trained::lm::runs::{COMMAND, Outcome, Setup, canary, run};
use trained::lm::suite::{Part, Suite, Trained, experiment_one, probe_table};
use trained::lm::task::{self, Score, TaskOutcome};
use trained::lm::{Model, TestScaling};
use trained::text::Corpus;
use trained::text::probe::Point;
use trained::text::record::Provenance;

fn bits(o: &Outcome, scaling: TestScaling) -> Vec<Result<f64, String>> {
    let (_, c) = o.curves.iter().find(|(s, _)| *s == scaling).unwrap();
    c.points.iter().map(|(_, p)| p.clone()).collect()
}

/// Experiment 1's claims at the reduced size (every seed).
fn experiment_one_claims(setup: &Setup, outcomes: &[Outcome]) {
    assert_eq!(outcomes.len(), setup.schemes.len() * setup.seeds.len());
    let last = setup.multiples.len() - 1;
    for o in outcomes {
        let at = bits(o, TestScaling::None);
        // Every model learns something about English in 120 steps: below 4 bits per character
        // at L (uniform bytes are 8; each seed of the reduced run lands between 3.50 and 3.71).
        let at_l = at[0].clone().unwrap();
        assert!(at_l < 4.0, "{} seed {}: {at_l}", o.scheme, o.seed);
        if o.scheme == Scheme::Learned {
            // The learned table refuses every length past L, naming the rule.
            for p in &at[1..] {
                assert!(p.as_ref().unwrap_err().contains("learned table"), "{p:?}");
            }
        } else {
            assert!(at.iter().all(Result::is_ok), "{}: {at:?}", o.scheme);
        }
    }
    // ALiBi stays level to 16L (within 0.1 bit of its value at L in every seed; measured: +0.03)
    // while sinusoidal positions lose more than ALiBi does in the same seed (measured: +0.14 to
    // +0.17 against +0.03).
    for seed in &setup.seeds {
        let find = |s: Scheme| {
            outcomes
                .iter()
                .find(|o| o.scheme == s && o.seed == *seed)
                .unwrap()
        };
        let rise = |s: Scheme| {
            let b = bits(find(s), TestScaling::None);
            b[last].clone().unwrap() - b[0].clone().unwrap()
        };
        assert!(
            rise(Scheme::Alibi).abs() < 0.1,
            "seed {seed}: {}",
            rise(Scheme::Alibi)
        );
        assert!(
            rise(Scheme::Sinusoidal) > rise(Scheme::Alibi) + 0.05,
            "seed {seed}"
        );
    }
}

#[test]
fn the_reduced_run_trains_every_part() {
    let suite = Suite::reduced();
    let corpus = Corpus::kjv().unwrap();
    let trained = experiment_one(&suite, &corpus, 2, true, true, &|| {}).unwrap();
    let outcomes: Vec<Outcome> = trained.iter().map(|t| t.outcome.clone()).collect();
    experiment_one_claims(&suite.lm, &outcomes);
    // The same models as experiment 1's own run gives (the suite only adds to it).
    let alone = Setup {
        schemes: vec![Scheme::Alibi],
        seeds: vec![1],
        ..suite.lm.clone()
    };
    let again = run(&alone, &corpus, 1, &|| {}).unwrap();
    assert!(outcomes.contains(&again[0]));

    // Experiment 2: every scheme answers every distance but the learned table past L, which
    // refuses, naming the rule; the bits per character are those of a model of English.
    let l = suite.lm.shape.train_len;
    for t in &trained {
        assert_eq!(t.probe.len(), suite.probe.distances.len());
        for (d, p) in &t.probe {
            let n = suite.probe.window_len(*d);
            match p {
                Err(e) => {
                    assert!(t.outcome.scheme == Scheme::Learned && n > l, "{d}: {e}");
                    assert!(e.contains("learned table"), "{e}");
                }
                Ok(pt) => {
                    assert!(n <= l || t.outcome.scheme != Scheme::Learned);
                    for b in [pt.repeated, pt.control] {
                        assert!((2.0..6.0).contains(&b), "{} {d}: {pt:?}", t.outcome.scheme);
                    }
                }
            }
        }
    }
    assert!(probe_table(&suite.probe, &trained).contains("| learned | "));

    // Experiment 3: the RoPE models were kept, and no other.
    let bases: Vec<(u64, Model)> = trained
        .iter()
        .filter_map(|t| t.model.clone().map(|m| (t.outcome.seed, m)))
        .collect();
    assert_eq!(bases.len(), suite.lm.seeds.len());
    assert!(bases.iter().all(|(_, m)| m.cfg.scheme == Scheme::Rope));
    let sw = &suite.sweep;
    let runs = finetune::run(sw, &corpus, &bases, 2, &|| {}).unwrap();
    assert_eq!(runs.len(), bases.len() * sw.scalings.len());
    for r in &runs {
        let rope = outcomes
            .iter()
            .find(|o| o.scheme == Scheme::Rope && o.seed == r.seed)
            .unwrap();
        let at = |s: TestScaling, i: usize| bits(rope, s)[i].clone().unwrap();
        let c0 = r.checkpoints[0];
        // Before any step, the extended model at 4L is experiment 1's test-time change at 4L
        // but for the last, shorter window (which experiment 1 reads with its own factor n / L,
        // the extended model with 4): within 0.01 bit (measured: 0.0017 for PI); plain RoPE is
        // experiment 1's RoPE bit for bit at 4L and at L.
        assert!((c0.long - at(r.scaling, 1)).abs() < 0.01, "{:?}", r.scaling);
        if r.scaling == TestScaling::None {
            assert_eq!((c0.long, c0.short), (at(r.scaling, 1), at(r.scaling, 0)));
        }
        // PI read at L with a factor of 4 squeezes positions the model never saw squeezed: it
        // costs at L before the fine-tune (measured: +0.17 to +0.19 bits), and 20 steps at 4L
        // win most of that back at 4L (measured: −0.11 to −0.12).
        if r.scaling == TestScaling::Pi {
            assert!(c0.short > at(TestScaling::None, 0) + 0.1, "{c0:?}");
            assert!(r.checkpoints[1].long < c0.long - 0.05, "{r:?}");
        }
    }

    // Experiment 4: every model learns the task in part within its training lengths (token
    // accuracy well above the 1 in 6 of a guess; measured 0.49 to 0.51) and does worse past them.
    let t = &suite.task;
    let tasks = task::run(t, 2, &|| {}).unwrap();
    assert_eq!(tasks.len(), t.schemes.len() * t.seeds.len());
    for o in &tasks {
        let s = |k: usize| {
            o.scores
                .iter()
                .find(|(at, _)| *at == k)
                .unwrap()
                .1
                .clone()
                .unwrap()
        };
        let (within, past) = (s(t.train_max), s(2 * t.train_max));
        assert!(within.token > 0.3, "{o:?}");
        assert!(past.token < within.token, "{o:?}");
        assert!(past.exact <= within.exact, "{o:?}");
    }

    // The size step: ALiBi one block deeper still stays level to 16L.
    let size = run(&suite.size, &corpus, 2, &|| {}).unwrap();
    for o in &size {
        let b = bits(o, TestScaling::None);
        let rise = b.last().unwrap().clone().unwrap() - b[0].clone().unwrap();
        assert!(rise.abs() < 0.1, "{rise}");
    }
}

#[test]
fn bad_settings_are_refused() {
    let suite = Suite::reduced();
    let corpus = Corpus::kjv().unwrap();
    let nope = Model::new(
        trained::lm::Config {
            scheme: Scheme::NoPe,
            ..suite.lm.shape
        },
        0,
    )
    .unwrap();
    let sw = &suite.sweep;
    let e = finetune::extend(sw, &corpus, &nope, 0, TestScaling::Pi, &|| {}).unwrap_err();
    assert!(e.to_string().contains("RoPE"), "{e}");
    let rope = Model::new(
        trained::lm::Config {
            scheme: Scheme::Rope,
            ..suite.lm.shape
        },
        0,
    )
    .unwrap();
    for budgets in [vec![5, 10], vec![0, 10, 5]] {
        let bad = finetune::Sweep::on(suite.lm.clone(), budgets);
        let e = finetune::extend(&bad, &corpus, &rope, 0, TestScaling::Pi, &|| {}).unwrap_err();
        assert!(e.to_string().contains("budgets"), "{e}");
    }
    let mut t = suite.task.clone();
    t.shape.vocab += 1;
    assert!(
        task::run(&t, 1, &|| {})
            .unwrap_err()
            .to_string()
            .contains("vocab")
    );
    let mut t = suite.task.clone();
    t.test_lengths.clear();
    assert!(task::run(&t, 1, &|| {}).is_err());
    assert!("sizes".parse::<Part>().unwrap_err().contains("sizes"));
}

// ---- The committed results ----

fn scheme(name: &str) -> Scheme {
    Scheme::ALL.into_iter().find(|s| s.name() == name).unwrap()
}

fn scaling(name: &str) -> TestScaling {
    TestScaling::ALL
        .into_iter()
        .find(|s| format!("{s:?}") == name)
        .unwrap()
}

fn rows(csv: &str) -> Vec<Vec<&str>> {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect()
}

fn num(s: &str) -> f64 {
    s.parse().unwrap()
}

fn provenance(suite: &Suite, part: Part, seeds: &[u64]) -> Provenance {
    Provenance {
        command: COMMAND.to_string(),
        seeds: seeds.to_vec(),
        fingerprint: suite.fingerprint(part),
        canary: canary().unwrap(),
    }
}

/// Experiment 1's (or the size step's) outcomes as their CSV holds them.
fn outcomes_of(csv: &str) -> Vec<Outcome> {
    let mut out: Vec<Outcome> = Vec::new();
    for r in rows(csv) {
        let (s, sc, seed, n) = (
            scheme(r[0]),
            scaling(r[1]),
            r[2].parse::<u64>().unwrap(),
            r[3],
        );
        let at = match out.iter().position(|o| o.scheme == s && o.seed == seed) {
            Some(i) => i,
            None => {
                out.push(Outcome {
                    scheme: s,
                    seed,
                    final_loss: num(r[5]) as f32,
                    curves: Vec::new(),
                });
                out.len() - 1
            }
        };
        let curves = &mut out[at].curves;
        if curves.last().is_none_or(|(c, _)| *c != sc) {
            curves.push((
                sc,
                trained::text::eval::Curve {
                    name: String::new(),
                    points: Vec::new(),
                },
            ));
        }
        let point = if r[4].is_empty() {
            Err("refused".to_string())
        } else {
            Ok(num(r[4]))
        };
        curves
            .last_mut()
            .unwrap()
            .1
            .points
            .push((n.parse().unwrap(), point));
    }
    out
}

#[test]
fn the_committed_results_match_the_code() {
    let suite = Suite::full();
    let committed = include_str!("../results/lm-experiment.md");
    provenance(&suite, Part::Lm, &suite.lm.seeds)
        .check(committed)
        .unwrap();
    let outcomes = outcomes_of(include_str!("../results/lm-experiment.csv"));
    assert!(committed.contains(&trained::lm::runs::table(&suite.lm, &outcomes)));
}

/// Experiment 1's committed bits per character: (scheme, scaling, seed, n) → value.
fn experiment_one_data() -> Vec<(Scheme, TestScaling, u64, usize, Option<f64>)> {
    rows(include_str!("../results/lm-experiment.csv"))
        .into_iter()
        .map(|r| {
            (
                scheme(r[0]),
                scaling(r[1]),
                r[2].parse().unwrap(),
                r[3].parse().unwrap(),
                (!r[4].is_empty()).then(|| num(r[4])),
            )
        })
        .collect()
}

/// The probe's committed data as the suite's records (outcomes without curves).
fn probe_data() -> Vec<Trained> {
    let mut out: Vec<Trained> = Vec::new();
    for r in rows(include_str!("../results/lm-probe.csv")) {
        let (s, seed) = (scheme(r[0]), r[1].parse::<u64>().unwrap());
        let d: usize = r[2].parse().unwrap();
        let point = if r[4].is_empty() {
            Err("refused".to_string())
        } else {
            Ok(Point {
                distance: d,
                repeated: num(r[4]),
                control: num(r[5]),
            })
        };
        let at = match out
            .iter()
            .position(|t| t.outcome.scheme == s && t.outcome.seed == seed)
        {
            Some(i) => i,
            None => {
                out.push(Trained {
                    outcome: Outcome {
                        scheme: s,
                        seed,
                        final_loss: 0.0,
                        curves: Vec::new(),
                    },
                    probe: Vec::new(),
                    model: None,
                });
                out.len() - 1
            }
        };
        out[at].probe.push((d, point));
    }
    out
}

fn finetune_data(sw: &finetune::Sweep) -> Vec<Extension> {
    let l = sw.base.shape.train_len;
    let mut out: Vec<Extension> = Vec::new();
    for r in rows(include_str!("../results/lm-finetune.csv")) {
        let (sc, seed, budget, n) = (
            scaling(r[0]),
            r[1].parse::<u64>().unwrap(),
            r[2].parse::<usize>().unwrap(),
            r[3].parse::<usize>().unwrap(),
        );
        let at = match out.iter().position(|e| e.scaling == sc && e.seed == seed) {
            Some(i) => i,
            None => {
                out.push(Extension {
                    scaling: sc,
                    seed,
                    checkpoints: Vec::new(),
                });
                out.len() - 1
            }
        };
        let cps = &mut out[at].checkpoints;
        if cps.last().is_none_or(|c: &Checkpoint| c.budget != budget) {
            cps.push(Checkpoint {
                budget,
                long: f64::NAN,
                short: f64::NAN,
            });
        }
        let c = cps.last_mut().unwrap();
        if n == l {
            c.short = num(r[4]);
        } else {
            c.long = num(r[4]);
        }
    }
    out
}

fn task_data() -> Vec<TaskOutcome> {
    let mut out: Vec<TaskOutcome> = Vec::new();
    for r in rows(include_str!("../results/lm-task.csv")) {
        let (s, seed, k) = (
            scheme(r[0]),
            r[1].parse::<u64>().unwrap(),
            r[2].parse::<usize>().unwrap(),
        );
        let at = match out.iter().position(|o| o.scheme == s && o.seed == seed) {
            Some(i) => i,
            None => {
                out.push(TaskOutcome {
                    scheme: s,
                    seed,
                    final_loss: num(r[5]) as f32,
                    scores: Vec::new(),
                });
                out.len() - 1
            }
        };
        // The file has 4 decimals; the shares are whole counts over 100 sequences (exact) and
        // over 100 (k + 1) tokens, at most 4100, so the nearest count is the one measured.
        let tests = Suite::full().task.tests as f64;
        let count = |v: f64, of: f64| (v * of).round() / of;
        out[at].scores.push((
            k,
            Ok(Score {
                k,
                exact: count(num(r[3]), tests),
                token: count(num(r[4]), tests * (k + 1) as f64),
            }),
        ));
    }
    out
}

/// The seeds' range `(lowest, highest)`.
fn range(v: &[f64]) -> (f64, f64) {
    (
        v.iter().copied().fold(f64::INFINITY, f64::min),
        v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    )
}

#[test]
fn the_committed_probe_matches_the_code_and_its_claims() {
    let suite = Suite::full();
    let md = include_str!("../results/lm-probe.md");
    provenance(&suite, Part::Probe, &suite.lm.seeds)
        .check(md)
        .unwrap();
    let data = probe_data();
    assert!(md.contains(&probe_table(&suite.probe, &data)));
    assert_eq!(data.len(), suite.lm.schemes.len() * suite.lm.seeds.len());
    let l = suite.lm.shape.train_len;
    for t in &data {
        for (d, p) in &t.probe {
            match p {
                // No model uses the first copy, within L or past it: what it saves is under 5 %
                // of what the second copy costs without it (measured: 4.0 % at most, 0.11 bit),
                // in every seed, at every distance.
                Ok(pt) => assert!(
                    pt.gain() < 0.05 * pt.control,
                    "{} {d}: {pt:?}",
                    t.outcome.scheme
                ),
                // The learned table refuses every window past L.
                Err(_) => {
                    assert!(t.outcome.scheme == Scheme::Learned && suite.probe.window_len(*d) > l)
                }
            }
        }
        // ALiBi's small gain shrinks with every step in distance, in every seed, to under 0.001
        // bit at d = 1000: its bias fades the first copy out.
        if t.outcome.scheme == Scheme::Alibi {
            let g: Vec<f64> = t
                .probe
                .iter()
                .map(|(_, p)| p.as_ref().unwrap().gain())
                .collect();
            assert!(g.windows(2).all(|w| w[1] < w[0]), "{g:?}");
            assert!(g[g.len() - 1] < 0.001, "{g:?}");
        }
    }
}

#[test]
fn the_committed_fine_tune_matches_the_code_and_its_claims() {
    let suite = Suite::full();
    let sw = &suite.sweep;
    let md = include_str!("../results/lm-finetune.md");
    provenance(&suite, Part::Finetune, &sw.base.seeds)
        .check(md)
        .unwrap();
    let data = finetune_data(sw);
    assert!(md.contains(&finetune::table(sw, &data, true)));
    assert!(md.contains(&finetune::table(sw, &data, false)));
    assert_eq!(data.len(), sw.scalings.len() * sw.base.seeds.len());
    // Before any step, each change at 4L is experiment 1's test-time change at 4L but for the
    // last, shorter window (see the reduced run): within 0.01 bit, plain RoPE to 6 decimals.
    let one = experiment_one_data();
    let l = sw.base.shape.train_len;
    for e in &data {
        let exp1 = one
            .iter()
            .find(|r| {
                r.0 == Scheme::Rope && r.1 == e.scaling && r.2 == e.seed && r.3 == sw.factor * l
            })
            .unwrap();
        let tol = if e.scaling == TestScaling::None {
            1e-6
        } else {
            0.01
        };
        assert!(
            (e.checkpoints[0].long - exp1.4.unwrap()).abs() < tol,
            "{e:?}"
        );
    }
    let at = |sc: TestScaling, b: usize, long: bool| {
        let pick: fn(&Checkpoint) -> f64 = if long { |c| c.long } else { |c| c.short };
        range(&finetune::values(&data, sc, b, pick))
    };
    let (plain, pi, ntk, yarn) = (
        TestScaling::None,
        TestScaling::Pi,
        TestScaling::Ntk,
        TestScaling::Yarn,
    );
    let below = |a: (f64, f64), b: (f64, f64)| a.1 < b.0;
    let budgets = &sw.budgets;
    for w in budgets.windows(2) {
        // PI improves at every checkpoint at 4L (every seed's range below the last one's)...
        assert!(below(at(pi, w[1], true), at(pi, w[0], true)), "{w:?}");
    }
    for &b in &budgets[1..] {
        // ...but stays the worst at 4L at every budget: it has the most to relearn.
        for o in [plain, ntk, yarn] {
            assert!(below(at(o, b, true), at(pi, b, true)), "{o:?} at {b}");
        }
    }
    // After 25 steps YaRN is the best at 4L, then NTK-aware, then plain RoPE, by ranges that do
    // not overlap.
    assert!(below(at(yarn, 25, true), at(ntk, 25, true)));
    assert!(below(at(ntk, 25, true), at(plain, 25, true)));
    // After 200 steps plain RoPE, NTK-aware and YaRN end level: each pair's ranges overlap (not
    // ranked), all within 0.02 bit.
    for (a, b) in [(plain, ntk), (plain, yarn), (ntk, yarn)] {
        let (x, y) = (at(a, 200, true), at(b, 200, true));
        assert!(x.0 <= y.1 && y.0 <= x.1, "{a:?} {b:?}");
        assert!((x.1.max(y.1) - x.0.min(y.0)) < 0.02);
    }
    // What it costs at L. Before any step, YaRN and PI read at L with the factor 4 lose against
    // the model as trained; after 200 steps at 4L, PI still does (every seed), while plain
    // RoPE, NTK-aware and YaRN are back within the trained model's range.
    let trained = at(plain, 0, false);
    for sc in [pi, yarn] {
        assert!(below(trained, at(sc, 0, false)), "{sc:?}");
    }
    assert!(below(trained, at(pi, 200, false)));
    for sc in [plain, ntk, yarn] {
        let r = at(sc, 200, false);
        assert!(
            r.0 <= trained.1 && trained.0 <= r.1,
            "{sc:?} {r:?} {trained:?}"
        );
    }
    // A few steps at 4L cost plain RoPE at L first (25 steps: every seed above its range).
    assert!(below(trained, at(plain, 25, false)));
}

#[test]
fn the_committed_task_matches_the_code_and_its_claims() {
    let suite = Suite::full();
    let t = &suite.task;
    let md = include_str!("../results/lm-task.md");
    provenance(&suite, Part::Task, &t.seeds).check(md).unwrap();
    let data = task_data();
    assert!(md.contains(&task::table(t, &data, true)));
    assert!(md.contains(&task::table(t, &data, false)));
    assert_eq!(data.len(), t.schemes.len() * t.seeds.len());
    let of = |s: Scheme, k: usize, exact: bool| {
        let pick: fn(&Score) -> f64 = if exact { |s| s.exact } else { |s| s.token };
        range(&task::values(&data, s, k, pick).unwrap())
    };
    let past: Vec<usize> = t
        .test_lengths
        .iter()
        .copied()
        .filter(|&k| k > t.train_max)
        .collect();
    let others = |s: Scheme| t.schemes.iter().copied().filter(move |&o| o != s);
    for &s in &t.schemes {
        // Within the training lengths every scheme learns the task: token accuracy 0.96 or more
        // in every seed, and at k = 10 nine sequences in ten or more exactly right.
        for k in [10, t.train_max] {
            assert!(of(s, k, false).0 > 0.96, "{s} at {k}");
        }
        assert!(of(s, 10, true).0 > 0.9, "{s}");
        // Past them, exact match falls to at most 1 sequence in 100 from k = 30 on, for all.
        for &k in past.iter().filter(|&&k| k >= 30) {
            assert!(of(s, k, true).1 <= 0.01, "{s} at {k}");
        }
    }
    // At k = 25 NoPE alone still gets some sequences exactly right: its lowest seed above every
    // other scheme's highest.
    for o in others(Scheme::NoPe) {
        assert!(of(Scheme::NoPe, 25, true).0 > of(o, 25, true).1, "{o}");
    }
    // Sinusoidal positions collapse past training: at every length past it, its highest token
    // accuracy is below every other scheme's lowest (a guess among 16 symbols is right 1 in 16).
    for &k in &past {
        for o in others(Scheme::Sinusoidal) {
            assert!(
                of(Scheme::Sinusoidal, k, false).1 < of(o, k, false).0,
                "{o} at {k}"
            );
        }
        assert!(of(Scheme::Sinusoidal, k, false).1 < 0.15);
    }
    // NoPE has the highest mean token accuracy at every length past training; its lowest seed is
    // above RoPE's and T5's highest at k = 25, and above ALiBi's and RoPE's at k = 30 (the other
    // gaps lie inside the seeds' spread and are not ranked).
    let mean = |s: Scheme, k: usize| {
        let v = task::values(&data, s, k, |s| s.token).unwrap();
        v.iter().sum::<f64>() / v.len() as f64
    };
    for &k in &past {
        for o in others(Scheme::NoPe) {
            assert!(mean(Scheme::NoPe, k) > mean(o, k), "{o} at {k}");
        }
    }
    for (k, o) in [
        (25, Scheme::Rope),
        (25, Scheme::T5),
        (30, Scheme::Alibi),
        (30, Scheme::Rope),
    ] {
        assert!(
            of(Scheme::NoPe, k, false).0 > of(o, k, false).1,
            "{o} at {k}"
        );
    }
}

#[test]
fn the_committed_size_step_matches_the_code_and_its_claims() {
    let suite = Suite::full();
    let md = include_str!("../results/lm-size.md");
    provenance(&suite, Part::Size, &suite.size.seeds)
        .check(md)
        .unwrap();
    let outcomes = outcomes_of(include_str!("../results/lm-size.csv"));
    assert!(md.contains(&trained::lm::runs::table(&suite.size, &outcomes)));
    let smaller = outcomes_of(include_str!("../results/lm-experiment.csv"));
    // The seeds' range of one variant at one length.
    let at = |os: &[Outcome], s: Scheme, sc: TestScaling, n: usize| {
        let v: Vec<f64> = os
            .iter()
            .filter(|o| o.scheme == s)
            .map(|o| {
                let (_, c) = o.curves.iter().find(|(x, _)| *x == sc).unwrap();
                c.points
                    .iter()
                    .find(|(m, _)| *m == n)
                    .unwrap()
                    .1
                    .clone()
                    .unwrap()
            })
            .collect();
        range(&v)
    };
    let l = suite.lm.shape.train_len;
    let plain = TestScaling::None;
    for os in [&outcomes[..], &smaller[..]] {
        // The curves' shape at both sizes: ALiBi eases down from L to 16L in every seed (by less
        // than 0.05 bit), RoPE rises by more than 1.5 bits; RoPE is below ALiBi at L and above it
        // from 2L on; at 16L YaRN is the best of RoPE's test-time changes and PI the worst, with
        // plain RoPE between NTK-aware and PI.
        let rise = |s: Scheme| {
            let v: Vec<f64> = os
                .iter()
                .filter(|o| o.scheme == s)
                .map(|o| {
                    let b = bits(o, plain);
                    b[b.len() - 1].clone().unwrap() - b[0].clone().unwrap()
                })
                .collect();
            range(&v)
        };
        let (lo, hi) = rise(Scheme::Alibi);
        assert!(lo > -0.05 && hi < 0.0, "ALiBi {lo} {hi}");
        assert!(rise(Scheme::Rope).0 > 1.5);
        assert!(at(os, Scheme::Rope, plain, l).1 < at(os, Scheme::Alibi, plain, l).0);
        for m in [2, 4, 8, 16] {
            assert!(at(os, Scheme::Rope, plain, m * l).0 > at(os, Scheme::Alibi, plain, m * l).1);
        }
        let end = |sc: TestScaling| at(os, Scheme::Rope, sc, 16 * l);
        for sc in [
            TestScaling::Ntk,
            TestScaling::DynamicNtk,
            plain,
            TestScaling::Pi,
        ] {
            assert!(end(TestScaling::Yarn).1 < end(sc).0, "{sc:?}");
        }
        assert!(end(TestScaling::Ntk).1 < end(plain).0);
        assert!(end(plain).1 < end(TestScaling::Pi).0);
    }
    // One step up in size helps at L: both schemes lower there in every seed.
    for s in [Scheme::Alibi, Scheme::Rope] {
        assert!(
            at(&outcomes, s, plain, l).1 < at(&smaller, s, plain, l).0,
            "{s}"
        );
    }
}
