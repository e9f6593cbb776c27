//! The chapter's figure a reader can move: `θ'_j / θ_j` per pair for position interpolation,
//! NTK-aware scaling, YaRN and Llama 3 as the scale factor and the training length change.
//!
//! The crate computes every curve on the sliders' grid ([`FACTORS`] × [`TRAINS`]) and writes them
//! as JSON beside the figure (`src/figures/scaling-explore.json`); the book's renderer
//! (`src/theme/explore.js`) only looks values up and moves the curves of the static SVG, which
//! stays what readers without JavaScript, print and the PDF see (drawn at [`FACTOR`] and
//! [`TRAIN`]). The figure test holds both files to the code, byte for byte.

use bookkit::chart::{Axes, BookMesh};
use bookkit::{Figure, FigureError, PALETTE};
use plotters::prelude::*;
use serde_json::{Value, json};

use crate::figures::{DIM, FACTOR, THETA, TRAIN};
use crate::{Base, Scheme, YarnParams, compute};

/// The scale factors the factor slider steps through.
pub const FACTORS: [f64; 6] = [2.0, 4.0, 8.0, 16.0, 32.0, 64.0];
/// The training lengths the length slider steps through.
pub const TRAINS: [usize; 3] = [2048, 4096, 8192];
/// Decimals kept in the JSON: 1e-4 of `θ'/θ` is 0.03 px of the figure's 350 px tall plot.
pub const DECIMALS: i32 = 4;

/// The top of the y axis (the ratio is at most 1).
const Y_TOP: f64 = 1.05;
/// The last pair index (the x axis runs from pair 0 to it).
const LAST_PAIR: f64 = (DIM / 2 - 1) as f64;

/// The four schemes at `factor` over a training length `train`, with their legend labels.
pub fn schemes(factor: f64, train: usize) -> Vec<(&'static str, Scheme)> {
    vec![
        ("position interpolation", Scheme::Linear { factor }),
        ("NTK-aware", Scheme::Ntk { factor }),
        ("YaRN", Scheme::Yarn(YarnParams::with_factor(factor))),
        (
            "Llama 3 (low 1, high 4)",
            Scheme::Llama3 {
                factor,
                low_freq_factor: 1.0,
                high_freq_factor: 4.0,
                original_max_position_embeddings: train,
            },
        ),
    ]
}

/// `θ'_j / θ_j` for every pair under each of [`schemes`], on a `d = DIM`, base `THETA` head
/// trained on `train` tokens.
///
/// # Errors
/// A factor or length the schemes refuse (named by its config key).
///
/// ```
/// let r = scaling::explore::ratios(16.0, 4096)?;
/// assert_eq!(r[0].1[0], 1.0 / 16.0); // position interpolation divides every pair by s
/// assert_eq!(r[2].1[0], 1.0); // YaRN keeps the fastest pair
/// # Ok::<(), scaling::Error>(())
/// ```
pub fn ratios(factor: f64, train: usize) -> crate::Result<Ratios> {
    let base = Base::new(DIM, THETA, train)?;
    let theta = base.inv_freq();
    schemes(factor, train)
        .into_iter()
        .map(|(label, scheme)| {
            // The sequence length matters only to dynamic schemes, none of which is drawn.
            let scaled = compute(&base, &scheme, train)?;
            let r = theta.iter().zip(&scaled.inv_freq).map(|(t, s)| s / t);
            Ok((label, r.collect()))
        })
        .collect()
}

/// The figure's title at one setting of the sliders.
pub fn title(factor: f64, train: usize) -> String {
    format!("θ′ⱼ / θⱼ (d = {DIM}, base {THETA}, L = {train}, factor {factor})")
}

/// The figure's alt text at one setting (the renderer fills in the two values).
pub fn alt(factor: f64, train: usize) -> String {
    format!(
        "θ′ⱼ / θⱼ for every pair under position interpolation, NTK-aware scaling, YaRN and Llama 3 \
         with factor {factor} on a d = {DIM}, base {THETA} head trained on {train} tokens."
    )
}

/// The page's image line for the figure (what readers without JavaScript see).
pub fn caption() -> String {
    format!(
        "![{}](figures/scaling-explore.svg)",
        alt(FACTOR, TRAIN).trim_end_matches('.')
    )
}

/// Each scheme's legend label and `θ'_j / θ_j` for every pair, at one setting.
pub type Ratios = Vec<(&'static str, Vec<f64>)>;

fn fail(e: crate::Error) -> FigureError {
    FigureError(format!("scaling-explore: {e}"))
}

/// `x` rounded to [`DECIMALS`] decimals.
fn round(x: f64) -> f64 {
    let k = 10f64.powi(DECIMALS);
    (x * k).round() / k
}

/// The figure at [`FACTOR`] and [`TRAIN`], with its data: every curve at every grid point.
///
/// # Errors
/// A drawing failure, or a grid point the schemes refuse.
pub fn figure() -> Result<Figure, FigureError> {
    let curves = ratios(FACTOR, TRAIN).map_err(fail)?;
    let entries: Vec<(String, ShapeStyle)> = (curves.iter().enumerate())
        .map(|(i, (label, _))| (label.to_string(), bookkit::line(PALETTE[i])))
        .collect();
    // The plot's corners in SVG pixels, read from plotters' own coordinate mapping.
    let mut corners = ((0, 0), (0, 0));
    let fig = Figure::draw("scaling-explore", 820, 480, |root| {
        let plot = bookkit::legend_below(root, &entries)?;
        let title = title(FACTOR, TRAIN);
        let mut chart =
            Axes::new(&title)
                .caption_size(17)
                .build(&plot, 0f64..LAST_PAIR, 0f64..Y_TOP)?;
        chart
            .configure_mesh()
            .book_labels()
            .x_desc("pair j (fast → slow)")
            .y_desc("θ′ⱼ / θⱼ")
            .x_label_formatter(&|x| bookkit::fixed(*x, 0))
            .y_label_formatter(&|y| bookkit::fixed(*y, 2))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        for ((_, r), (_, style)) in curves.iter().zip(&entries) {
            let points = r.iter().enumerate().map(|(j, &y)| (j as f64, y));
            chart.draw_series(LineSeries::new(points, *style))?;
        }
        corners = (
            chart.backend_coord(&(0.0, 0.0)),
            chart.backend_coord(&(LAST_PAIR, Y_TOP)),
        );
        Ok(())
    })?;
    let data = data(&entries, corners).map_err(fail)?;
    Ok(fig.with_data(data))
}

/// The JSON the renderer reads: the sliders, the plot's mapping from data to pixels, the title
/// and alt text with `{factor}` and `{train}` to fill in, and each curve on the grid. A curve's
/// `by` names the sliders it depends on (position interpolation and NTK-aware scaling do not
/// depend on the training length, so they are stored once per factor), and its `values` hold one
/// list of pairs for every setting of those sliders, the first slider varying slowest.
fn data(
    entries: &[(String, ShapeStyle)],
    corners: ((i32, i32), (i32, i32)),
) -> crate::Result<String> {
    let grid: Vec<Vec<Ratios>> = FACTORS
        .iter()
        .map(|&f| TRAINS.iter().map(|&l| ratios(f, l)).collect())
        .collect::<crate::Result<_>>()?;
    let hex = |c: RGBColor| format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
    let series: Vec<Value> = (0..entries.len())
        .map(|s| {
            let at = |f: usize, l: usize| grid[f][l][s].1.iter().map(|&y| round(y)).collect();
            let per_train =
                (0..FACTORS.len()).any(|f| (1..TRAINS.len()).any(|l| at(f, l) != at(f, 0)));
            let (by, values): (Vec<&str>, Vec<Vec<f64>>) = if per_train {
                let all = (0..FACTORS.len()).flat_map(|f| (0..TRAINS.len()).map(move |l| (f, l)));
                (
                    vec!["factor", "train"],
                    all.map(|(f, l)| at(f, l)).collect(),
                )
            } else {
                (
                    vec!["factor"],
                    (0..FACTORS.len()).map(|f| at(f, 0)).collect(),
                )
            };
            let color = PALETTE[s];
            json!({ "label": entries[s].0, "stroke": hex(color), "by": by, "values": values })
        })
        .collect();
    let initial = |v: &[f64], x: f64| v.iter().position(|&y| y == x).unwrap_or(0);
    let trains: Vec<f64> = TRAINS.iter().map(|&l| l as f64).collect();
    let ((x0, y0), (x1, y1)) = corners;
    let doc = json!({
        "controls": [
            { "id": "factor", "label": "scale factor s", "values": FACTORS,
              "initial": initial(&FACTORS, FACTOR) },
            { "id": "train", "label": "training length L", "values": trains,
              "initial": initial(&trains, TRAIN as f64) },
        ],
        "x": { "from": 0.0, "to": LAST_PAIR, "px": [x0, x1] },
        "y": { "from": 0.0, "to": Y_TOP, "px": [y0, y1] },
        "title": { "drawn": title(FACTOR, TRAIN), "template": title_template(&title) },
        "alt": { "drawn": alt(FACTOR, TRAIN), "template": title_template(&alt) },
        "series": series,
    });
    Ok(doc.to_string() + "\n")
}

/// `text`'s words with the two slider values as `{factor}` and `{train}`, found by drawing the
/// text at two settings no other number in it can equal.
fn title_template(text: &dyn Fn(f64, usize) -> String) -> String {
    text(987_654.0, 123_456)
        .replace("987654", "{factor}")
        .replace("123456", "{train}")
}

/// The pair the page's table reads the blends at: inside both YaRN's and Llama 3's ramps at
/// `L = 4096`.
pub const MIDDLE_PAIR: usize = 40;

/// What the page says to look for, from the same functions: at each setting, the ratio every
/// pair gets under position interpolation, the ratio of pair [`MIDDLE_PAIR`] under the other
/// three, and how many pairs YaRN and Llama 3 keep as they are and how many they divide by
/// exactly `s`.
///
/// # Errors
/// A setting the schemes refuse.
pub fn table(settings: &[(f64, usize)]) -> crate::Result<String> {
    let j = MIDDLE_PAIR;
    let mut t = bookkit::Table::new([
        "s".to_string(),
        "L".to_string(),
        "PI, every pair".to_string(),
        format!("NTK-aware, pair {j}"),
        format!("YaRN, pair {j}"),
        format!("Llama 3, pair {j}"),
        "YaRN kept / divided by s".to_string(),
        "Llama 3 kept / divided by s".to_string(),
    ]);
    for &(s, l) in settings {
        let r = ratios(s, l)?;
        let counts = |v: &[f64]| {
            let kept = v.iter().filter(|&&y| y == 1.0).count();
            let divided = v.iter().filter(|&&y| (y * s - 1.0).abs() < 1e-12).count();
            format!("{kept} / {divided}")
        };
        t.row([
            format!("{s}"),
            l.to_string(),
            bookkit::fixed(r[0].1[0], 4),
            bookkit::fixed(r[1].1[j], 4),
            bookkit::fixed(r[2].1[j], 4),
            bookkit::fixed(r[3].1[j], 4),
            counts(&r[2].1),
            counts(&r[3].1),
        ]);
    }
    Ok(t.to_string())
}
