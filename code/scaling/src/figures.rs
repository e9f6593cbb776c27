//! The chapter's figures.

use std::f64::consts::PI;

use bookkit::chart::{Axes, BookMesh};
use bookkit::{Figure, FigureError, PALETTE, svg};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::{Base, Scheme, YarnParams, compute};

/// The setting of the comparison figures: a Llama-2-like head, trained on 4096, stretched by 8.
pub const DIM: usize = 128;
/// Base of the comparison figures.
pub const THETA: f64 = 10000.0;
/// Training length of the comparison figures.
pub const TRAIN: usize = 4096;
/// Scale factor of the comparison figures.
pub const FACTOR: f64 = 8.0;

/// The last pair index of the comparison figures' x axis.
const LAST_PAIR: f64 = (DIM / 2 - 1) as f64;

/// The number of schemes the wavelength figure draws beside the unscaled one.
const WAVELENGTH_SCHEMES: usize = 4;

/// The wavelength figure's title, from [`DIM`], [`THETA`], [`TRAIN`] and [`FACTOR`].
///
/// ```
/// assert!(scaling::figures::wavelengths_title().contains("d = 128, base 10000"));
/// ```
pub fn wavelengths_title() -> String {
    format!(
        "wavelength of each pair (d = {DIM}, base {THETA}), trained on {TRAIN}, target {FACTOR} × {TRAIN}"
    )
}

/// The ratio figure's title, from the same constants.
pub fn ratios_title() -> String {
    format!("θ′ⱼ / θⱼ for each scheme (d = {DIM}, base {THETA}, L = {TRAIN}, factor {FACTOR})")
}

/// The page's image line for the wavelength figure, naming the schemes it draws.
pub fn wavelengths_caption() -> String {
    let names: Vec<&str> = compared()
        .into_iter()
        .take(WAVELENGTH_SCHEMES)
        .map(|(name, _)| name)
        .collect();
    let (last, rest) = names.split_last().map_or(("", &[][..]), |(l, r)| (*l, r));
    format!(
        "![Wavelength of every pair for d = {DIM}, base {THETA}: unscaled, and under {} and {last}, \
         each with factor {FACTOR}, against the training length {TRAIN} and the target {}.](figures/scaling-wavelengths.svg)",
        rest.join(", "),
        target_length()
    )
}

/// The page's image line for the ratio figure.
pub fn ratios_caption() -> String {
    format!(
        "![θ′ⱼ / θⱼ for every scheme with factor {FACTOR} on a d = {DIM}, base {THETA} head trained \
         on {TRAIN} tokens. LongRoPE's factors here are an illustrative smooth curve, not a searched \
         result.](figures/scaling-ratio.svg)"
    )
}

/// The target length of the comparison figures, `FACTOR × TRAIN`.
fn target_length() -> usize {
    // FACTOR is a whole number (8), so the product is exact.
    (FACTOR * TRAIN as f64) as usize
}

/// Every figure of the chapter.
///
/// # Errors
/// A drawing failure, naming the figure.
pub fn figures() -> Result<Vec<Figure>, FigureError> {
    Ok(vec![wavelengths()?, ratios()?, crate::explore::figure()?])
}

fn fail(e: crate::Error) -> FigureError {
    FigureError(e.to_string())
}

/// The schemes compared, all at `FACTOR` over `TRAIN`.
pub fn compared() -> Vec<(&'static str, Scheme)> {
    vec![
        ("position interpolation", Scheme::Linear { factor: FACTOR }),
        ("NTK-aware", Scheme::Ntk { factor: FACTOR }),
        ("YaRN", Scheme::Yarn(YarnParams::with_factor(FACTOR))),
        (
            "Llama 3 (low 1, high 4)",
            Scheme::Llama3 {
                factor: FACTOR,
                low_freq_factor: 1.0,
                high_freq_factor: 4.0,
                original_max_position_embeddings: TRAIN,
            },
        ),
        ("dynamic NTK at 8 × L", Scheme::Dynamic { factor: FACTOR }),
        (
            "LongRoPE (illustrative factors)",
            Scheme::LongRope {
                short_factor: vec![1.0; DIM / 2],
                // Searched factors grow from ~1 for fast pairs to ~s for slow ones; these follow
                // a smooth made-up curve of that shape, not any model's search result.
                long_factor: (0..DIM / 2)
                    .map(|j| 1.0 + (FACTOR - 1.0) * (j as f64 / (DIM / 2 - 1) as f64).powf(1.5))
                    .collect(),
                factor: Some(FACTOR),
                original_max_position_embeddings: None,
                attention_factor: None,
            },
        ),
    ]
}

/// A curve's legend label and its points.
type Curve = (&'static str, Vec<(f64, f64)>);

/// One curve per scheme at 8 × the training length: `(j, y(θ_j, θ'_j))` for every pair `j`.
fn curves(
    base: &Base,
    schemes: Vec<(&'static str, Scheme)>,
    y: impl Fn(f64, f64) -> f64,
) -> Result<Vec<Curve>, FigureError> {
    let theta = base.inv_freq();
    schemes
        .into_iter()
        .map(|(label, scheme)| {
            let scaled = compute(base, &scheme, 8 * TRAIN).map_err(fail)?;
            let points = (theta.iter().zip(&scaled.inv_freq).enumerate())
                .map(|(j, (&t, &t2))| (j as f64, y(t, t2)))
                .collect();
            Ok((label, points))
        })
        .collect()
}

/// Wavelength of every pair, unscaled and under each scheme, against the training and target
/// lengths (log scale).
fn wavelengths() -> Result<Figure, FigureError> {
    let base = Base::new(DIM, THETA, TRAIN).map_err(fail)?;
    Figure::draw("scaling-wavelengths", 820, 480, |root| {
        let mut schemes = vec![("no scaling", Scheme::Default)];
        schemes.extend(compared().into_iter().take(WAVELENGTH_SCHEMES));
        let wavelength = |_: f64, scaled: f64| 2.0 * PI / scaled;
        let curves = curves(&base, schemes, wavelength)?;
        let entries = entries(&curves);
        let plot = bookkit::legend_below(root, &entries)?;
        let mut chart = Axes::new(&wavelengths_title()).caption_size(17).build(
            &plot,
            0f64..LAST_PAIR,
            (4f64..1e6f64).log_scale(),
        )?;
        chart
            .configure_mesh()
            .book_labels()
            .x_desc("pair j")
            .y_desc("wavelength (tokens)")
            .x_label_formatter(&|x| bookkit::fixed(*x, 0))
            .y_label_formatter(&|y| format!("{y:.0e}"))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        // The two lengths are reference lines, named where they are drawn: the training length
        // solid, the target length dashed.
        for (len, label, dashed) in [
            (TRAIN, format!("training length L = {TRAIN}"), false),
            (8 * TRAIN, format!("target length 8L = {}", 8 * TRAIN), true),
        ] {
            let ends = vec![(0.0, len as f64), (63.0, len as f64)];
            let style = ShapeStyle::from(BLACK.mix(0.6)).stroke_width(1);
            if dashed {
                chart.draw_series(DashedLineSeries::new(ends, 6, 4, style))?;
            } else {
                chart.draw_series(LineSeries::new(ends, style))?;
            }
            chart.draw_series(std::iter::once(Text::new(
                label,
                (62.5, len as f64),
                TextStyle::from(bookkit::chart::font(bookkit::chart::LABEL_PX))
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Right, VPos::Bottom)),
            )))?;
        }
        for ((_, points), (_, style)) in curves.into_iter().zip(entries) {
            chart.draw_series(LineSeries::new(points, style))?;
        }
        Ok(())
    })
}

/// θ′ⱼ / θⱼ per pair for every scheme on one plot.
fn ratios() -> Result<Figure, FigureError> {
    let base = Base::new(DIM, THETA, TRAIN).map_err(fail)?;
    Figure::draw("scaling-ratio", 820, 480, |root| {
        let ratio = |theta: f64, scaled: f64| scaled / theta;
        let curves = curves(&base, compared(), ratio)?;
        let entries = entries(&curves);
        let plot = bookkit::legend_below(root, &entries)?;
        let mut chart = Axes::new(&ratios_title()).caption_size(17).build(
            &plot,
            0f64..LAST_PAIR,
            0f64..1.05f64,
        )?;
        chart
            .configure_mesh()
            .book_labels()
            .x_desc("pair j (fast → slow)")
            .y_desc("θ′ⱼ / θⱼ")
            .x_label_formatter(&|x| bookkit::fixed(*x, 0))
            .y_label_formatter(&|y| bookkit::fixed(*y, 2))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        for ((_, points), (_, style)) in curves.into_iter().zip(entries) {
            chart.draw_series(LineSeries::new(points, style))?;
        }
        Ok(())
    })
}

/// Each curve's legend entry: its label and its line, in the palette's colours in order.
fn entries(curves: &[Curve]) -> Vec<(String, ShapeStyle)> {
    (curves.iter().enumerate())
        .map(|(i, (label, _))| (label.to_string(), bookkit::line(PALETTE[i % PALETTE.len()])))
        .collect()
}

/// A figure of one model's scaling: `θ'_j / θ_j` and both wavelengths per pair (for the
/// inspector's `--figure`).
///
/// # Errors
/// Bad parameters, or a drawing failure.
pub fn model_figure(
    title: &str,
    model: &crate::config::ModelRope,
    seq_len: usize,
) -> Result<String, FigureError> {
    let scaled = compute(&model.base, &model.scheme, seq_len).map_err(fail)?;
    let theta = model.base.inv_freq();
    let n = theta.len() as f64;
    if scaled.inv_freq.iter().any(|t| !(t.is_finite() && *t > 0.0)) {
        return Err(FigureError(
            "inspect: a scaled frequency is zero or not finite; nothing sensible to draw".into(),
        ));
    }
    svg("inspect", 820, 420, |root| {
        let (left, right) = root.split_horizontally(410);
        let caption = format!("{title}: θ′ⱼ / θⱼ");
        let mut chart = Axes {
            caption: &caption,
            caption_size: 16,
            margin: 10,
            x_label_area: 32,
            y_label_area: 44,
        }
        .build(&left, 0f64..(n - 1.0).max(1.0), 0f64..1.05f64)?;
        chart
            .configure_mesh()
            .book_labels()
            .x_desc("pair j")
            .x_label_formatter(&|x| bookkit::fixed(*x, 0))
            .y_label_formatter(&|y| bookkit::fixed(*y, 2))
            .draw()?;
        chart.draw_series(LineSeries::new(
            theta
                .iter()
                .zip(&scaled.inv_freq)
                .enumerate()
                .map(|(j, (a, b))| (j as f64, b / a)),
            bookkit::line(PALETTE[0]),
        ))?;
        let max_w = scaled
            .inv_freq
            .iter()
            .map(|t| 2.0 * PI / t)
            .fold(10.0f64, f64::max);
        let mut chart = Axes {
            caption: "wavelengths (tokens)",
            caption_size: 16,
            margin: 10,
            x_label_area: 32,
            y_label_area: 56,
        }
        .build(
            &right,
            0f64..(n - 1.0).max(1.0),
            (4f64..max_w * 2.0).log_scale(),
        )?;
        chart
            .configure_mesh()
            .book_labels()
            .x_desc("pair j")
            .x_label_formatter(&|x| bookkit::fixed(*x, 0))
            .y_label_formatter(&|y| format!("{y:.0e}"))
            .draw()?;
        for (i, (label, freqs)) in [("original", &theta), ("scaled", &scaled.inv_freq)]
            .into_iter()
            .enumerate()
        {
            let c = PALETTE[i];
            chart
                .draw_series(LineSeries::new(
                    freqs
                        .iter()
                        .enumerate()
                        .map(|(j, t)| (j as f64, 2.0 * PI / t)),
                    bookkit::line(c),
                ))?
                .label(label)
                .legend(bookkit::legend_line(c));
        }
        bookkit::legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    })
}
