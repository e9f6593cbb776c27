//! The measurement's code against chapter 7's: the mirrored forward pass equals chapter 7's own on
//! the plain scheme, its scores equal chapter 7's `evaluate`, and the committed results file is
//! the one the current configuration writes (its reduced run is redone here).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use runtime::experiment::{evaluate, first_key_mass, forward};
use runtime::remap::Plain;
use runtime::study::{report, run, schemes};
use trained::experiment::{Config, DIMS};
use trained::model::{Model, Positions};
use trained::{Scheme, Variant};

/// An untrained model is enough: the two forward passes must agree on any weights. Both sum the
/// same products in a different order (ndarray's `dot` here, chapter 7's own loops there), and
/// logits are of size 1 to 10: 1e-10 is far below any difference a changed formula would make.
#[test]
fn plain_mirror_is_chapter_7s_forward() {
    for seed in [0, 5] {
        let model = Model::new(Scheme::Rope, DIMS, seed).unwrap();
        for n in [5, 16, 40] {
            let tokens: Vec<usize> = (0..n)
                .map(|t| (t * 7 + seed as usize) % DIMS.vocab)
                .collect();
            let positions = Positions::new(Variant::plain(Scheme::Rope), &DIMS, n).unwrap();
            let theirs = model.forward(&tokens, &positions).unwrap();
            let (logits, weights) = forward(&model, &tokens, &Plain).unwrap();
            for (a, b) in logits.iter().zip(&theirs.logits) {
                assert!((a - b).abs() < 1e-10, "logit {a} vs {b}");
            }
            for (l, heads) in weights.iter().enumerate() {
                for (h, w) in heads.iter().enumerate() {
                    for (a, b) in w.iter().zip(&theirs.weights[l][h]) {
                        assert!((a - b).abs() < 1e-12, "layer {l} head {h}");
                    }
                }
            }
        }
    }
    let nope = Model::new(Scheme::NoPe, DIMS, 0).unwrap();
    assert!(forward(&nope, &[0, 1], &Plain).is_err());
    let rope = Model::new(Scheme::Rope, DIMS, 0).unwrap();
    assert!(forward(&rope, &[0, DIMS.vocab], &Plain).is_err());
    assert!(forward(&rope, &[], &Plain).is_err());
    assert!(evaluate(&rope, &Plain, 3, 16, 0, 0).is_err());
}

/// A scheme's query scale multiplies every logit of its query: scaling by 2 is the plain scheme
/// on a model whose query weights are doubled (the rotation is linear). Logits of size 1 to 10,
/// summed in the same order on both sides up to the factor: 1e-10.
#[test]
fn the_query_scale_multiplies_the_logits() {
    struct Doubled;
    impl runtime::Remap for Doubled {
        fn name(&self) -> String {
            "doubled".into()
        }
        fn pair(&self, i: usize, j: usize) -> (f64, f64) {
            (i as f64, j as f64)
        }
        fn query_scale(&self, _i: usize) -> f64 {
            2.0
        }
    }
    let model = Model::new(Scheme::Rope, DIMS, 1).unwrap();
    let mut doubled = model.clone();
    for layer in &mut doubled.layers {
        layer.wq.mapv_inplace(|w| 2.0 * w);
    }
    let tokens: Vec<usize> = (0..12).map(|t| (t * 5 + 1) % DIMS.vocab).collect();
    let (scaled, _) = forward(&model, &tokens, &Doubled).unwrap();
    let (by_weights, _) = forward(&doubled, &tokens, &Plain).unwrap();
    let (plain, _) = forward(&model, &tokens, &Plain).unwrap();
    for (a, b) in scaled.iter().zip(&by_weights) {
        assert!((a - b).abs() < 1e-10, "{a} vs {b}");
    }
    assert!(
        scaled.iter().zip(&plain).any(|(a, b)| (a - b).abs() > 1e-6),
        "the scale must change something"
    );
}

/// The score by hand: a row with a tie counts the first of its largest logits (as chapter 7's
/// does), and the loss is the mean cross-entropy of the positions with a target.
#[test]
fn the_score_by_hand() {
    use runtime::experiment::score;
    let logits = ndarray::array![[1.0, 1.0], [0.0, 2.0], [5.0, 0.0]];
    let s = score(&logits, &[Some(0), Some(0), None]);
    // Row 0: a tie, the first index wins: correct. Row 1: wrong. Row 2 has no target.
    assert_eq!(s.accuracy, 0.5);
    // ln 2 for row 0, ln(1 + e²) for row 1, over two positions.
    let want = (2f64.ln() + (1.0 + 2f64.exp()).ln()) / 2.0;
    assert!((s.loss - want).abs() < 1e-12, "{} vs {want}", s.loss);
    let none = score(&logits, &[None, None, None]);
    assert_eq!((none.loss, none.accuracy), (0.0, 0.0));
}

/// The weights `evaluate` returns are the first sequence's, whatever the count.
#[test]
fn evaluate_returns_the_first_sequences_weights() {
    let model = Model::new(Scheme::Rope, DIMS, 2).unwrap();
    let (_, one) = evaluate(&model, &Plain, 3, 12, 1, 4).unwrap();
    let (_, three) = evaluate(&model, &Plain, 3, 12, 3, 4).unwrap();
    assert!(!one.is_empty());
    assert_eq!(one, three);
}

/// The same held-out sequences and the same score as chapter 7's `evaluate` (1e-12: sums of at
/// most 32 losses of size below 20).
#[test]
fn plain_scores_are_chapter_7s() {
    let model = Model::new(Scheme::Rope, DIMS, 3).unwrap();
    for n in [16, 48] {
        let (ours, _) = evaluate(&model, &Plain, 3, n, 4, 3).unwrap();
        let (theirs, _) =
            trained::train::evaluate(&model, Variant::plain(Scheme::Rope), 3, n, 4, 3).unwrap();
        assert!((ours.loss - theirs.loss).abs() < 1e-12);
        assert!((ours.accuracy - theirs.accuracy).abs() < 1e-12);
    }
}

/// Uniform weights put 1/(i + 1) on key 0; a weight of 1 on key 0 puts all of it there.
#[test]
fn first_key_mass_counts_what_it_says() {
    let n = 6;
    let uniform =
        ndarray::Array2::from_shape_fn(
            (n, n),
            |(i, j)| if j <= i { 1.0 / (i + 1) as f64 } else { 0.0 },
        );
    let sink = ndarray::Array2::from_shape_fn((n, n), |(_, j)| if j == 0 { 1.0 } else { 0.0 });
    let m = first_key_mass(&vec![vec![uniform.clone(), uniform], vec![sink]], 1, 2);
    let want: f64 = (2..n).map(|i| 1.0 / (i + 1) as f64).sum::<f64>() / 4.0;
    assert!((m[0].0 - want).abs() < 1e-15 && (m[0].1 - want).abs() < 1e-15);
    assert_eq!(m[1].0, 1.0);
    let two = first_key_mass(&vec![vec![ndarray::Array2::from_elem((3, 3), 0.5)]], 2, 0);
    assert_eq!(
        two[0],
        ((0.5 + 1.0 + 1.0) / 3.0, (1.0 + 1.0 + 2.0 / 3.0) / 3.0)
    );
}

/// The reduced run (chapter 7's reduced configuration): the plain row is chapter 7's RoPE, the
/// schemes that keep every distance within L copy at 4L, and the file names its configuration.
#[test]
fn reduced_run() {
    let config = Config::reduced();
    let results = run(&config, &|| {}).unwrap();
    let names: Vec<&str> = results.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names.len(), 2 + schemes(16, 16).unwrap().len());
    let row = |name: &str| results.rows.iter().find(|r| r.name == name).unwrap();
    let last = results.lengths.len() - 1;
    for name in [
        "ReRoPE, w = L/2",
        "4 sinks + window L/2",
        "window 3L/4, no sinks",
    ] {
        assert!(row(name).scores[last][0].accuracy > 0.95, "{name} at 4L");
    }
    assert!(
        row("RoPE").scores[last][0].accuracy < 0.8,
        "plain RoPE at 4L"
    );
    let text = report(&config, &results, 1.0);
    assert!(text.contains(&config.hash()));
    assert_eq!(results.sinks.len(), results.lengths.len());
    // The sink table reads the queries from L/2 on: uniform attention over the i + 1 keys of
    // query i puts 1/(i + 1) on key 0.
    let (n, layers) = &results.sinks[0];
    let from = config.dims.train_len / 2;
    let uniform = (from..*n).map(|i| 1.0 / (i + 1) as f64).sum::<f64>() / (n - from) as f64;
    for (_, u) in layers {
        assert!((u - uniform).abs() < 1e-12, "{u} vs {uniform}");
    }
    assert!(text.contains(&format!("queries from position {from} on")));
    // Self-Extend's neighbour window is L/4, and its group keeps every position below L.
    for n in [16, 64, 128] {
        let all = schemes(16, n).unwrap();
        let (_, se) = all
            .iter()
            .find(|(name, _)| name.starts_with("Self-Extend"))
            .unwrap();
        assert!(se.name().ends_with("w = 4"), "{}", se.name());
        assert!(runtime::remap::largest(se.as_ref(), n) < 16.0, "n = {n}");
        // The smallest such group: one less would reach past L − 1 (or there is none below 1).
        let g: usize = se.name()["Self-Extend G = ".len()..]
            .split(',')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        if g > 1 {
            let smaller = runtime::SelfExtend::new(g - 1, 4).unwrap();
            assert!(
                runtime::remap::largest(&smaller, n) > 15.0,
                "n = {n}, G = {g}"
            );
        }
    }
    // At L itself no grouping is needed: the smallest group is 1.
    let all = schemes(16, 16).unwrap();
    let se = &all
        .iter()
        .find(|(n, _)| n.starts_with("Self-Extend"))
        .unwrap()
        .1;
    assert!(se.name().starts_with("Self-Extend G = 1,"), "{}", se.name());
}

/// The committed results come from the configuration chapter 7 uses now.
#[test]
fn committed_results_name_the_current_configuration() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/results/experiment.md");
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.contains(&format!("configuration `{}`", Config::full().hash())),
        "rerun the experiment example"
    );
}

/// A mean over the seeds with its range: `(mean, lowest, highest)`.
type Spread = (f64, f64, f64);

/// The accuracy table of the committed file, by scheme name: at each length the mean and the
/// range over the seeds, `(mean, lowest, highest)` (a cell without a range had one value).
fn accuracy(text: &str) -> Vec<(String, Vec<Spread>)> {
    let table = text
        .split("Accuracy")
        .nth(1)
        .unwrap()
        .split("Loss")
        .next()
        .unwrap();
    let cell = |c: &str| {
        let mut parts = c.split(' ');
        let mean: f64 = parts.next().unwrap().parse().unwrap();
        match parts.next() {
            None => (mean, mean, mean),
            Some(range) => {
                let (lo, hi) = range
                    .trim_matches(|ch| ch == '(' || ch == ')')
                    .split_once('–')
                    .unwrap();
                (mean, lo.parse().unwrap(), hi.parse().unwrap())
            }
        }
    };
    table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| scheme"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            (
                cells[0].to_string(),
                cells[1..].iter().map(|c| cell(c)).collect(),
            )
        })
        .collect()
}

/// Every claim the page's paragraph after the results makes, read from the committed file, and the
/// settings it types (the copy distance 3, L = 16, DCA's local window L/8 below the distance).
#[test]
fn the_page_claims_what_the_committed_results_show() {
    let config = Config::full();
    assert_eq!((config.schedule.delta, config.dims.train_len), (3, 16));
    assert!(config.dims.train_len / 8 < config.schedule.delta);
    assert_eq!(config.lengths(), [16, 32, 64, 128]);
    // The page's tables of positions assume chapter 7's training length.
    assert_eq!(runtime::report::TRAIN, config.dims.train_len);
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/results/experiment.md"
    ))
    .unwrap();
    let rows = accuracy(&text);
    let get = |name: &str| &rows.iter().find(|(n, _)| n == name).unwrap().1;
    // The page ranks two schemes only where their ranges over the seeds do not overlap.
    let below = |a: Spread, b: Spread| a.2 < b.1;
    let good = [
        "ReRoPE, w = L/2",
        "Self-Extend, w = L/4, smallest G",
        "window 3L/4, no sinks",
        "4 sinks + window L/2",
    ];
    for name in good {
        assert!(
            get(name).iter().all(|&(_, lo, _)| lo >= 0.9),
            "{name} copies at every length, on every seed"
        );
    }
    let (plain, pi) = (get("RoPE"), get("RoPE + PI (chapter 7)"));
    assert!(plain[3].2 < 0.5, "plain RoPE fails at 8L on every seed");
    // "PI fails worst": at 8L its range lies below every other row's.
    for (name, row) in &rows {
        if name != "RoPE + PI (chapter 7)" {
            assert!(below(pi[3], row[3]), "PI worst at 8L, below {name}");
        }
    }
    for name in good {
        assert!(
            below(plain[3], get(name)[3]),
            "{name} above plain RoPE at 8L"
        );
    }
    let dca_name = "DCA, chunk_size 3L/4, local_window L/8";
    let dca = get(dca_name);
    // "Already below the others at L": its range at L lies below every other row's.
    for (name, row) in &rows {
        if name != dca_name {
            assert!(below(dca[0], row[0]), "DCA at L below {name}");
        }
    }
    // "Falls further at each longer length": each range lies below the one before.
    for k in 1..dca.len() {
        assert!(
            below(dca[k], dca[k - 1]),
            "DCA at length {k} below length {}",
            k - 1
        );
    }
    let text_pos = get("4 sinks + window L/2, text positions");
    assert!(
        text_pos[1].1 >= 0.95 && text_pos[2].2 < 0.8 && text_pos[3].2 < 0.8,
        "degrades past 2L on every seed"
    );
    // With and without sinks: ranges that overlap at every length, so no ranking.
    let (no_sinks, sinks4) = (get("window 3L/4, no sinks"), get("4 sinks + window L/2"));
    for (a, b) in no_sinks.iter().zip(sinks4) {
        assert!(!below(*a, *b) && !below(*b, *a), "{a:?} vs {b:?}");
    }
    // The sink table: layer 0 above uniform, layer 1 below, at every length.
    let sinks: Vec<Vec<f64>> = text
        .split("Attention on the first token")
        .nth(1)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| n"))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().parse().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(sinks.len(), 8);
    for row in &sinks {
        let (layer, mass, uniform) = (row[1], row[2], row[3]);
        assert!(
            if layer == 0.0 {
                mass > uniform
            } else {
                mass < uniform
            },
            "{row:?}"
        );
    }
}
