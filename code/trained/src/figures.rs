//! The chapter's figures. The experiment's figures are drawn from the committed results file,
//! so they always show the numbers the tables show.

use bookkit::chart::{Axes, BookMesh};
use bookkit::heatmap::{Frame, KEY_HEIGHT, Key, colour_key, heatmap_with};
use bookkit::style::masked_sequential;
use bookkit::{Figure, FigureError, Heatmap, PALETTE};
use plotters::prelude::*;

use crate::experiment::{Config, Results, spread};
use crate::heads::{HeadSpec, offset_head};
use crate::nope::{counter, gap};
use crate::train::MARKER;
use crate::{Scheme, Variant};

/// The committed results of the experiment (written by `cargo run -p trained --example
/// experiment`).
pub const RESULTS: &str = include_str!("../results/experiment.csv");

/// How far the NoPE figure counts.
pub const NOPE_MAX: usize = 1024;

/// Every figure of the chapter.
///
/// # Errors
/// A drawing failure, naming the figure, or a results file that does not parse.
pub fn figures() -> Result<Vec<Figure>, FigureError> {
    let results = Results::from_csv(RESULTS).map_err(|e| FigureError(e.to_string()))?;
    Ok(vec![
        nope()?,
        heads()?,
        extrapolation(&Config::full(), &results)?,
        attention(&Config::full(), &results)?,
    ])
}

/// NoPE's counter and the gap between neighbouring positions, on log axes.
fn nope() -> Result<Figure, FigureError> {
    Figure::draw("trained-nope", 820, 400, |root| {
        let tokens: Vec<usize> = (0..NOPE_MAX)
            .map(|t| if t == 0 { MARKER } else { 1 })
            .collect();
        let out = counter(&tokens, MARKER)?;
        let title = format!("NoPE's counter: output 1/(t+1) and the gap to t+1, t < {NOPE_MAX}");
        let mut chart = Axes::new(&title).build(
            root,
            (1f64..NOPE_MAX as f64).log_scale(),
            (1e-7f64..1f64).log_scale(),
        )?;
        chart
            .configure_mesh()
            .book_labels()
            .x_desc("position t + 1")
            .y_desc("value")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0e}"))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let series: [(&str, Vec<(f64, f64)>); 2] = [
            (
                "output 1/(t+1)",
                out.iter()
                    .enumerate()
                    .map(|(t, &c)| (t as f64 + 1.0, c))
                    .collect(),
            ),
            (
                "gap 1/((t+1)(t+2))",
                (0..NOPE_MAX).map(|t| (t as f64 + 1.0, gap(t))).collect(),
            ),
        ];
        for (k, (label, points)) in series.into_iter().enumerate() {
            let c = PALETTE[k];
            chart
                .draw_series(LineSeries::new(points, bookkit::line(c)))?
                .label(label)
                .legend(bookkit::legend_line(c));
        }
        // Both curves fall from the top left: the lower left corner is empty.
        bookkit::legend(&mut chart, SeriesLabelPosition::LowerLeft)?;
        Ok(())
    })
}

/// Draws causal attention weights `w` (rows: queries, columns: keys; white 0, dark 1, grey masked)
/// as one titled panel.
fn weights_panel(
    panel: &bookkit::Area<'_>,
    title: &str,
    w: &ndarray::Array2<f64>,
) -> Result<(), Box<dyn std::error::Error>> {
    let n = w.nrows();
    let values: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| if j > i { f64::NAN } else { w[[i, j]] })
                .collect()
        })
        .collect();
    let labels = bookkit::heatmap::every_nth(n, n / 4);
    heatmap_with(
        &panel.margin(4, 4, 4, 4),
        &Heatmap {
            title,
            values: &values,
            row_labels: &labels,
            col_labels: &labels,
            color: masked_sequential,
            annotate: None,
            cell_text: None,
        },
        &Frame {
            x_title: "key j",
            y_title: "query i",
            key: None,
        },
    )
}

/// The one colour key of a figure of [`weights_panel`]s, in a strip at the bottom of `root`;
/// returns the area above it for the panels.
fn with_weight_key<'a>(
    root: &bookkit::Area<'a>,
) -> Result<bookkit::Area<'a>, Box<dyn std::error::Error>> {
    let (_, h) = root.dim_in_pixel();
    let (panels, strip) = root.split_vertically(h as i32 - KEY_HEIGHT as i32 - 8);
    let key = Key::Scale {
        title: "attention weight (grey: masked)".into(),
        from: 0.0,
        to: 1.0,
        ticks: [0.0, 0.5, 1.0].map(|t| (t, bookkit::fixed(t, 1))).to_vec(),
    };
    colour_key(&strip, &key, masked_sequential)?;
    Ok(panels)
}

/// The hand-built heads at the length they were built for.
fn heads() -> Result<Figure, FigureError> {
    let spec = HeadSpec::CHAPTER;
    Figure::draw("trained-heads", 900, 360, |root| {
        let panels = with_weight_key(root)?.split_evenly((1, 4));
        for (panel, scheme) in panels.iter().zip([
            Scheme::Learned,
            Scheme::Sinusoidal,
            Scheme::T5,
            Scheme::Alibi,
        ]) {
            let w = offset_head(scheme, &spec, spec.built_len)?;
            let title = match scheme {
                Scheme::Sinusoidal => format!("sinusoidal = RoPE, Δ = {}", spec.delta),
                Scheme::Alibi => "ALiBi (cannot)".to_string(),
                s => format!("{s}, Δ = {}", spec.delta),
            };
            weights_panel(panel, &title, &w)?;
        }
        Ok(())
    })
}

/// The title of the extrapolation figure, from the configuration that made its data.
pub fn extrapolation_title(config: &Config) -> String {
    format!(
        "copy the token {} back: accuracy by length, trained at L = {} ({} seeds, range shown)",
        config.schedule.delta,
        config.dims.train_len,
        config.seeds.len()
    )
}

/// Accuracy against length for every variant, mean over seeds with the range as a bar.
fn extrapolation(config: &Config, results: &Results) -> Result<Figure, FigureError> {
    Figure::draw("trained-extrapolation", 860, 520, |root| {
        let title = extrapolation_title(config);
        let lengths = config.lengths();
        let styles: Vec<ShapeStyle> = (0..Variant::ALL.len())
            .map(|k| {
                if k < PALETTE.len() {
                    bookkit::line(PALETTE[k])
                } else {
                    // Grey at 55 % is #737373 on white, 4.7:1: at least 3:1 for a curve.
                    ShapeStyle::from(BLACK.mix(if k == PALETTE.len() { 0.8 } else { 0.55 }))
                        .stroke_width(2)
                }
            })
            .collect();
        let entries: Vec<(String, ShapeStyle)> = (Variant::ALL.into_iter().zip(&styles))
            .map(|(v, &style)| (v.name().to_string(), style))
            .collect();
        let root = &bookkit::legend_below(root, &entries)?;
        // One step along the axis per doubling: length k is drawn at x = k.
        let last = lengths.len() as f64 - 1.0;
        let mut chart = Axes::new(&title).caption_size(16).build(
            root,
            -0.3f64..last + 0.3,
            -0.02f64..1.02f64,
        )?;
        let label = |x: &f64| {
            let k = x.round();
            if (x - k).abs() < 1e-9 && k >= 0.0 {
                lengths
                    .get(k as usize)
                    .map_or(String::new(), |n| format!("n = {n}"))
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .book_labels()
            .x_desc("sequence length (doubling)")
            .y_desc("accuracy")
            .x_labels(2 * lengths.len() + 1)
            .x_label_formatter(&label)
            .y_label_formatter(&|y| bookkit::fixed(*y, 1))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        for (k, (v, &style)) in Variant::ALL.into_iter().zip(&styles).enumerate() {
            // A small sideways offset per variant keeps the range bars apart.
            let shift = 0.02 * (k as f64 - 3.5);
            let points: Vec<(f64, f64, f64, f64)> = lengths
                .iter()
                .enumerate()
                .filter_map(|(x, &n)| {
                    spread(results, v, n, |s| s.accuracy)
                        .map(|(m, a, b)| (x as f64 + shift, m, a, b))
                })
                .collect();
            chart.draw_series(LineSeries::new(points.iter().map(|p| (p.0, p.1)), style))?;
            chart.draw_series(
                points
                    .iter()
                    .map(|p| PathElement::new(vec![(p.0, p.2), (p.0, p.3)], style)),
            )?;
            chart.draw_series(
                points
                    .iter()
                    .map(|p| Circle::new((p.0, p.1), 3, style.filled())),
            )?;
        }
        Ok(())
    })
}

/// The trained RoPE head's weights at `L` and at `4L`.
fn attention(config: &Config, results: &Results) -> Result<Figure, FigureError> {
    Figure::draw("trained-attention", 900, 540, |root| {
        let panels = with_weight_key(root)?.split_evenly((1, 2));
        for (panel, w) in panels.iter().zip(&results.maps) {
            let title = format!(
                "RoPE model, seed {}, layer {} head {}: n = {} (L = {})",
                config.seeds[0],
                results.head.0 + 1,
                results.head.1 + 1,
                w.nrows(),
                config.dims.train_len
            );
            weights_panel(panel, &title, w)?;
        }
        Ok(())
    })
}
