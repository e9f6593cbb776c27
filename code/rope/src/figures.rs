//! The chapter's figures.

use bookkit::chart::{Axes, BookMesh, LABEL_PX, TITLE_PX, font};
use bookkit::heatmap::{Frame, KEY_HEIGHT, Key, colour_key, heatmap_with};
use bookkit::{Figure, FigureError, Heatmap, PALETTE, diverging};
use ndarray::Array1;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::decay::{bound, mean_cos};
use crate::precision::{Format, errors_at};
use crate::{BASE, Layout, Rope};

/// Every figure of the chapter.
///
/// # Errors
/// A drawing failure, naming the figure.
pub fn figures() -> Result<Vec<Figure>, FigureError> {
    Ok(vec![rotation()?, decay()?, scores()?, precision()?])
}

fn fail(e: crate::Error) -> FigureError {
    FigureError(e.to_string())
}

/// Two positions pairs with the same offset: q and k rotated, the angle between them the same.
fn rotation() -> Result<Figure, FigureError> {
    let theta = 0.5; // radians per position, for the picture
    Figure::draw("rope-rotation", 820, 440, |root| {
        let panels = root.split_evenly((1, 2));
        for (panel, (m, n)) in panels.iter().zip([(2usize, 0usize), (5, 3)]) {
            let (head, body) = panel.split_vertically(44);
            head.draw(&Text::new(
                format!("q at m = {m}, k at n = {n} (θ = {theta} rad)"),
                (205, 22),
                TextStyle::from(font(TITLE_PX))
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            ))?;
            // A square plot with equal ranges: one unit is as long across as up, so the circle is
            // round and equal angles look equal.
            let (w, h) = body.dim_in_pixel();
            let side = w.min(h) - 8;
            let (dx, dy) = ((w - side) / 2, (h - side) / 2);
            let square = body.margin(dy, dy, dx, dx);
            let mut chart = ChartBuilder::on(&square)
                .build_cartesian_2d(-1.45f64..1.45f64, -1.45f64..1.45f64)?;
            let circle: Vec<(f64, f64)> = (0..=200)
                .map(|s| {
                    let a = s as f64 / 200.0 * std::f64::consts::TAU;
                    (a.cos(), a.sin())
                })
                .collect();
            // Black at 50 % is #808080 on white, 3.9:1: at least 3:1 for a line.
            chart.draw_series(LineSeries::new(circle, ShapeStyle::from(BLACK.mix(0.5))))?;
            // q starts at angle 0.3, k at angle −0.4, before rotation.
            for (label, base_angle, pos, c) in
                [("q", 0.3, m, PALETTE[0]), ("k", -0.4, n, PALETTE[1])]
            {
                let a = base_angle + pos as f64 * theta;
                let tip = (a.cos(), a.sin());
                chart.draw_series(LineSeries::new(vec![(0.0, 0.0), tip], bookkit::line(c)))?;
                chart.draw_series(std::iter::once(Circle::new(tip, 5, c.filled())))?;
                // The label sits just outside the circle, on the side away from the centre, so
                // it never covers the dot. It is in black: no palette colour reaches 4.5:1 for
                // text on both the light and the dark background.
                let side = if tip.0 < 0.0 { HPos::Right } else { HPos::Left };
                chart.draw_series(std::iter::once(Text::new(
                    format!("{label} rotated by {pos}θ"),
                    (tip.0 * 1.1, tip.1 * 1.1),
                    TextStyle::from(font(LABEL_PX))
                        .color(&BLACK)
                        .pos(Pos::new(side, VPos::Center)),
                )))?;
            }
            chart.draw_series(std::iter::once(Text::new(
                format!("angle between them: 0.7 + {}θ", m - n),
                (0.0, -1.3),
                TextStyle::from(font(LABEL_PX))
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            )))?;
        }
        Ok(())
    })
}

/// A curve as a function of the distance.
type Curve<'a> = Box<dyn Fn(f64) -> f64 + 'a>;

/// The head width of the decay figure.
const DECAY_HEAD_DIM: usize = 128;

/// The decay figure's title, from the same constants as its curves.
fn decay_title() -> String {
    format!("RoPE, d_head = {DECAY_HEAD_DIM}, base {BASE}: decay with distance")
}

/// The decay curve and the average cosine against distance (log scale).
fn decay() -> Result<Figure, FigureError> {
    let rope = Rope::new(DECAY_HEAD_DIM, BASE, Layout::HalfSplit).map_err(fail)?;
    let title = decay_title();
    Figure::draw("rope-decay", 820, 420, |root| {
        // A wider margin than usual: the last tick label, 100000, is centred on the plot's
        // right edge.
        let axes = Axes {
            margin: 30,
            ..Axes::new(&title)
        };
        let mut chart =
            axes.y_label_area(56)
                .build(root, (1f64..100_000f64).log_scale(), -0.3f64..1.05f64)?;
        chart
            .configure_mesh()
            .book_labels()
            .x_desc("relative distance (log scale)")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| bookkit::fixed(*y, 1))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        // Sample densely on a log grid.
        let ks: Vec<f64> = (0..=1000)
            .map(|s| 10f64.powf(5.0 * s as f64 / 1000.0))
            .collect();
        let norm = bound(&rope, 0.0);
        let series: [(&str, Curve<'_>, RGBColor); 2] = [
            (
                "bound curve Σ|Sⱼ| / (d_head/2), scaled to 1 at distance 0",
                Box::new(|k| bound(&rope, k) / norm),
                PALETTE[0],
            ),
            (
                "average Σ cos(Δθⱼ) / (d_head/2)",
                Box::new(|k| mean_cos(&rope, k)),
                PALETTE[1],
            ),
        ];
        for (label, f, c) in series {
            let points: Vec<(f64, f64)> = ks.iter().map(|&k| (k, f(k))).collect();
            chart
                .draw_series(LineSeries::new(points, bookkit::line(c)))?
                .label(label)
                .legend(bookkit::legend_line(c));
        }
        bookkit::legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    })
}

/// q_m · k_n over m, n in 0 … 23: correct, wrong layout on both, and mixed layouts.
fn scores() -> Result<Figure, FigureError> {
    let n = 24;
    let inter = Rope::new(8, BASE, Layout::Interleaved).map_err(fail)?;
    let split = inter.with_layout(Layout::HalfSplit);
    let mut rng = bookkit::rng::SplitMix64(21);
    let mut draw = || Array1::from_shape_fn(8, |_| rng.next_gaussian());
    let (q, k) = (draw(), draw());
    Figure::draw("rope-scores", 900, 420, |root| {
        let (grids, strip) = root.split_vertically(420 - KEY_HEIGHT as i32 - 8);
        let panels = grids.split_evenly((1, 3));
        let cases = [
            ("correct (constant along diagonals)", inter, inter),
            ("wrong layout on both", split, split),
            ("interleaved q, half-split k", inter, split),
        ];
        for (panel, (title, rq, rk)) in panels.iter().zip(cases) {
            let mut values = vec![vec![0.0; n]; n];
            for (m, row) in values.iter_mut().enumerate() {
                for (j, cell) in row.iter_mut().enumerate() {
                    let a = rq.rotate(q.view(), m as f64).map_err(fail)?;
                    let b = rk.rotate(k.view(), j as f64).map_err(fail)?;
                    *cell = a.dot(&b) / 4.0;
                }
            }
            let labels = bookkit::heatmap::every_nth(n, 6);
            heatmap_with(
                &panel.margin(4, 4, 4, 4),
                &Heatmap {
                    title,
                    values: &values,
                    row_labels: &labels,
                    col_labels: &labels,
                    color: diverging,
                    annotate: None,
                    cell_text: None,
                },
                &Frame {
                    x_title: "key position n",
                    y_title: "query position m",
                    key: None,
                },
            )?;
        }
        // Each cell holds the score / 4; the key is labelled with the score itself.
        let key = Key::Scale {
            title: "score q·k".into(),
            from: -1.0,
            to: 1.0,
            ticks: [-1.0, 0.0, 1.0]
                .map(|t| (t, bookkit::fixed(t * 4.0, 0)))
                .to_vec(),
        };
        colour_key(&strip, &key, diverging)?;
        Ok(())
    })
}

/// Largest angle error against position for bf16, f16 and f32 angles (log–log).
fn precision() -> Result<Figure, FigureError> {
    let rope = Rope::new(128, BASE, Layout::HalfSplit).map_err(fail)?;
    Figure::draw("rope-precision", 820, 420, |root| {
        let mut chart = Axes::new("largest angle error by position (head_dim 128)").build(
            root,
            (1f64..1e6f64).log_scale(),
            (1e-8f64..1e5f64).log_scale(),
        )?;
        chart
            .configure_mesh()
            .book_labels()
            .x_desc("position m")
            .y_desc("radians")
            .x_label_formatter(&|x| format!("{x:.0e}"))
            .y_label_formatter(&|y| format!("{y:.0e}"))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        for (i, f) in [Format::Bf16, Format::F16, Format::F32]
            .into_iter()
            .enumerate()
        {
            let c = PALETTE[i];
            let mut points = Vec::new();
            for s in 0..=240 {
                let m = 10f64.powf(6.0 * s as f64 / 240.0).round() as usize;
                let (angle, _) = errors_at(&rope, m, f).map_err(fail)?;
                // Zero errors (exact cases) and overflow cannot be drawn on a log axis.
                if angle > 0.0 && angle.is_finite() {
                    points.push((m as f64, angle.max(1e-8)));
                }
            }
            chart
                .draw_series(points.iter().map(|&p| Circle::new(p, 2, c.filled())))?
                .label(f.name())
                .legend(move |(x, y)| Circle::new((x + 8, y), 4, c.filled()));
        }
        bookkit::legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decay_figure_draws_its_title() {
        let fig = decay().unwrap();
        let title = decay_title();
        assert!(fig.svg.contains(&title), "the SVG lacks its title");
        assert!(title.contains(&format!("d_head = {DECAY_HEAD_DIM}")));
        assert!(title.contains("base 10000"));
    }
}
