//! The chapter's figures. The experiment's figures are drawn from the committed results file,
//! so they always show the numbers the tables show.

use bookkit::chart::{Axes, BookMesh};
use bookkit::heatmap::{Frame, KEY_HEIGHT, Key, colour_key, heatmap_with};
use bookkit::style::masked_sequential;
use bookkit::{Figure, FigureError, Heatmap, PALETTE};
use plotters::prelude::*;

use crate::experiment::{Config, Results, spread};
use crate::heads::{HeadSpec, offset_head};
use crate::lm::TestScaling;
use crate::lm::runs::Setup;
use crate::lm_results::{Line, LmResults, Range};
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
    let lm = LmResults::committed().map_err(|e| FigureError(e.to_string()))?;
    Ok(vec![
        nope()?,
        heads()?,
        extrapolation(&Config::full(), &results)?,
        attention(&Config::full(), &results)?,
        lm_length(&Setup::full(), &lm)?,
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

/// The title of the language models' figure, from the configuration that made its data.
pub fn lm_length_title(setup: &Setup) -> String {
    format!(
        "held-out bits per character by length, trained at L = {} ({} seeds, range shown)",
        setup.shape.train_len,
        setup.seeds.len()
    )
}

/// The figure's alt text (the page includes it from a snapshot), from the same configuration.
pub fn lm_length_alt(setup: &Setup) -> String {
    let l = setup.shape.train_len;
    let last = setup.multiples.last().copied().unwrap_or(1);
    format!(
        "Bits per character on held-out text against the evaluation length, {l} to {} characters \
         on a doubling axis, for models trained at L = {l}; mean over {} seeds with the range as a \
         bar. Left, every scheme as trained: ALiBi's line stays flat, every other line rises past \
         L, and the learned table has a point at L only. Right, the RoPE models read with each \
         test-time change: position interpolation rises most, YaRN least. A dashed grey line marks \
         the bigram baseline, which reads one character back.",
        last * l,
        setup.seeds.len()
    )
}

/// The colour of each line of [`lm_length`]: RoPE blue in both panels, the test-time changes in
/// the colours the schemes before RoPE have on the left, NoPE dark grey (the palette's other blue
/// is too close to RoPE's).
fn lm_style(line: &Line) -> ShapeStyle {
    let k = match (line.scheme, line.scaling) {
        (Scheme::Rope, TestScaling::None) => 0,
        (Scheme::NoPe, _) => {
            // Black at 80 % is #333 on white: well above 3:1 for a curve.
            return ShapeStyle::from(BLACK.mix(0.8)).stroke_width(2);
        }
        (_, TestScaling::Pi) => 1,
        (_, TestScaling::Ntk) => 2,
        (_, TestScaling::DynamicNtk) => 3,
        (_, TestScaling::Yarn) => 4,
        (s, TestScaling::None) => Scheme::ALL.iter().position(|&t| t == s).unwrap_or(0),
    };
    bookkit::line(PALETTE[k % PALETTE.len()])
}

/// One panel: the lines given, mean over the seeds with the range as a bar, against
/// `log₂(n / L)` labelled with `n`.
fn lm_panel(
    area: &bookkit::Area<'_>,
    title: &str,
    setup: &Setup,
    lines: &[&Line],
    y: std::ops::Range<f64>,
    bigram: f64,
) -> Result<(), Box<dyn std::error::Error>> {
    let l = setup.shape.train_len as f64;
    // Grey at 55 % is #737373 on white, 4.7:1: at least 3:1 for a curve.
    let grey = ShapeStyle::from(BLACK.mix(0.55)).stroke_width(2);
    let mut entries: Vec<(String, ShapeStyle)> =
        lines.iter().map(|x| (x.name(), lm_style(x))).collect();
    entries.push(("bigram (dashed)".to_string(), grey));
    let area = bookkit::legend_below(area, &entries)?;
    let xs: Vec<f64> = setup
        .lengths()
        .iter()
        .map(|&n| (n as f64 / l).log2())
        .collect();
    let last = xs.last().copied().unwrap_or(1.0);
    // The default title size (20, drawn at 16 px): at 900 px shown in the 750 px column it stays
    // above 11 px.
    let mut chart = Axes::new(title).build(&area, -0.3f64..last + 0.3, y)?;
    let label = |x: &f64| {
        let k = x.round();
        if (x - k).abs() < 1e-9 && k >= 0.0 && k <= last {
            format!("{:.0}", l * k.exp2())
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .book_labels()
        .x_desc("evaluation length n (doubling)")
        .y_desc("bits per character")
        .x_labels(2 * xs.len() + 1)
        .x_label_formatter(&label)
        .y_label_formatter(&|v| bookkit::fixed(*v, 1))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    chart.draw_series(DashedLineSeries::new(
        [(-0.3, bigram), (last + 0.3, bigram)],
        6,
        4,
        grey,
    ))?;
    for (k, line) in lines.iter().enumerate() {
        let style = lm_style(line);
        // A small sideways offset per line keeps the range bars apart.
        let shift = 0.03 * (k as f64 - (lines.len() as f64 - 1.0) / 2.0);
        let points: Vec<(f64, Range)> = line
            .cells
            .iter()
            .filter_map(|(n, v)| {
                v.as_ref()
                    .map(|v| ((*n as f64 / l).log2() + shift, Range::of(v)))
            })
            .collect();
        chart.draw_series(LineSeries::new(
            points.iter().map(|(x, r)| (*x, r.mean)),
            style,
        ))?;
        chart.draw_series(
            points
                .iter()
                .map(|(x, r)| PathElement::new(vec![(*x, r.lo), (*x, r.hi)], style)),
        )?;
        chart.draw_series(
            points
                .iter()
                .map(|(x, r)| Circle::new((*x, r.mean), 3, style.filled())),
        )?;
    }
    Ok(())
}

/// Experiment 1: bits per character against evaluation length, every scheme as trained on the
/// left, RoPE under each test-time change on the right, on one vertical scale.
fn lm_length(setup: &Setup, r: &LmResults) -> Result<Figure, FigureError> {
    Figure::draw("trained-lm-length", 900, 560, |root| {
        let title = lm_length_title(setup);
        let (top, body) = root.split_vertically(34);
        top.draw(&Text::new(
            title,
            (450, 17),
            TextStyle::from(bookkit::chart::font(16.0))
                .color(&bookkit::style::INK)
                .pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Center,
                )),
        ))?;
        let values = r
            .lines
            .iter()
            .flat_map(|x| x.cells.iter())
            .flat_map(|(_, v)| v.iter().flatten());
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
        let y = (lo * 2.0).floor() / 2.0..(hi * 2.0).ceil() / 2.0;
        let panels = body.split_evenly((1, 2));
        let trained: Vec<&Line> = r
            .lines
            .iter()
            .filter(|x| x.scaling == TestScaling::None)
            .collect();
        let rope: Vec<&Line> = r
            .lines
            .iter()
            .filter(|x| x.scheme == Scheme::Rope)
            .collect();
        let bigram = crate::lm_results::bigram_bits(setup)?;
        lm_panel(
            &panels[0],
            "every scheme as trained",
            setup,
            &trained,
            y.clone(),
            bigram,
        )?;
        lm_panel(
            &panels[1],
            "RoPE read with a test-time change",
            setup,
            &rope,
            y,
            bigram,
        )?;
        Ok(())
    })
}
