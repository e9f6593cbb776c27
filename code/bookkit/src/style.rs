//! The book's visual style: colour maps, the palette, line and legend styles.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::chart::{LABEL_PX, font};
use crate::figure::Area;

/// A sequential colour for a value in `[0, 1]`: white through blue to dark navy.
pub fn sequential(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let lerp = |a: f64, b: f64, u: f64| a + (b - a) * u;
    // Two linear segments: white → mid blue → navy.
    let (r, g, b) = if t < 0.6 {
        let u = t / 0.6;
        (
            lerp(255.0, 66.0, u),
            lerp(255.0, 133.0, u),
            lerp(255.0, 244.0, u),
        )
    } else {
        let u = (t - 0.6) / 0.4;
        (
            lerp(66.0, 8.0, u),
            lerp(133.0, 29.0, u),
            lerp(244.0, 88.0, u),
        )
    };
    RGBColor(r.round() as u8, g.round() as u8, b.round() as u8)
}

/// A categorical colour: entry `t` (rounded) of [`PALETTE`], lightened so dark text reads on it.
/// NaN draws light grey (an empty cell).
pub fn category(t: f64) -> RGBColor {
    if t.is_nan() {
        return RGBColor(235, 235, 235);
    }
    let c = PALETTE[(t.max(0.0).round() as usize) % PALETTE.len()];
    let lighten = |x: u8| ((x as f64 + 255.0) / 2.0).round() as u8;
    RGBColor(lighten(c.0), lighten(c.1), lighten(c.2))
}

/// The colour of a masked heatmap cell (a NaN value): light grey, lighter than any data colour.
pub const MASKED: RGBColor = RGBColor(225, 225, 225);

/// [`sequential`], with NaN (a masked cell) drawn in [`MASKED`].
///
/// ```
/// assert_eq!(bookkit::style::masked_sequential(f64::NAN), bookkit::style::MASKED);
/// assert_eq!(bookkit::style::masked_sequential(0.5), bookkit::sequential(0.5));
/// ```
pub fn masked_sequential(t: f64) -> RGBColor {
    if t.is_nan() { MASKED } else { sequential(t) }
}

/// [`diverging`], with NaN (a masked cell) drawn in [`MASKED`].
///
/// ```
/// assert_eq!(bookkit::style::masked_diverging(f64::NAN), bookkit::style::MASKED);
/// assert_eq!(bookkit::style::masked_diverging(-0.5), bookkit::diverging(-0.5));
/// ```
pub fn masked_diverging(t: f64) -> RGBColor {
    if t.is_nan() { MASKED } else { diverging(t) }
}

/// A diverging colour for a value in `[-1, 1]`: blue for negative, white at zero, red for positive.
pub fn diverging(t: f64) -> RGBColor {
    let t = t.clamp(-1.0, 1.0);
    let mix = |c: (f64, f64, f64), u: f64| {
        RGBColor(
            (255.0 + (c.0 - 255.0) * u).round() as u8,
            (255.0 + (c.1 - 255.0) * u).round() as u8,
            (255.0 + (c.2 - 255.0) * u).round() as u8,
        )
    };
    if t < 0.0 {
        mix((33.0, 102.0, 172.0), -t)
    } else {
        mix((178.0, 24.0, 43.0), t)
    }
}

/// Colours that stay distinct on white and for common colour-vision deficiencies
/// (Okabe and Ito's palette).
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
];

/// The line style of every curve in the book: the colour, two pixels wide.
pub fn line(c: RGBColor) -> ShapeStyle {
    ShapeStyle::from(c).stroke_width(2)
}

/// The legend entry for a curve drawn with [`line()`]: a short stroke of the same style.
pub fn legend_line(c: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], line(c))
}

/// Draws a chart's legend the same way in every figure: a white box with a black border, text at
/// [`LABEL_PX`]. It sits inside the plot: choose a `position` where no data is (the test
/// `code/xtask/tests/figure_files.rs` fails when a curve crosses the box), or draw the legend
/// outside the plot with [`legend_below`].
///
/// # Errors
/// A drawing failure.
pub fn legend<'a, 'b: 'a, CT>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, CT>,
    position: SeriesLabelPosition,
) -> Result<(), Box<dyn std::error::Error>>
where
    CT: plotters::coord::CoordTranslate,
{
    chart
        .configure_series_labels()
        .background_style(WHITE)
        .border_style(BLACK)
        .label_font(font(LABEL_PX))
        .position(position)
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// The width of a legend entry: a 24 px stroke, a 6 px gap, the label (estimated at 0.6 em a
/// character, since the browser picks the face) and 24 px before the next entry.
fn entry_width(label: &str) -> i32 {
    30 + (label.chars().count() as f64 * 0.6 * LABEL_PX).ceil() as i32 + 24
}

/// Draws a legend for `entries` (each a label and the style of its curve) in centred rows along
/// the bottom of `area`, as many rows as the labels need, and returns the part of `area` above
/// it for the chart. The legend can never cover data: the two do not share any pixel.
///
/// # Errors
/// A drawing failure.
///
/// ```
/// use plotters::prelude::*;
/// let svg = bookkit::svg("legend", 400, 300, |area| {
///     let entries = vec![
///         ("first".to_string(), bookkit::line(bookkit::PALETTE[0])),
///         ("second".to_string(), bookkit::line(bookkit::PALETTE[1])),
///     ];
///     let plot = bookkit::legend_below(area, &entries)?;
///     // One row of 14 px text: 1.6 × 14 = 22.4 → 22 px, plus 8 px of padding.
///     assert_eq!(plot.dim_in_pixel(), (400, 270));
///     Ok(())
/// })?;
/// assert!(svg.contains(">\nfirst\n<") || svg.contains(">first<"));
/// # Ok::<(), bookkit::FigureError>(())
/// ```
pub fn legend_below<'a>(
    area: &Area<'a>,
    entries: &[(String, ShapeStyle)],
) -> Result<Area<'a>, Box<dyn std::error::Error>> {
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let usable = w - 24;
    let mut rows: Vec<Vec<usize>> = vec![Vec::new()];
    let mut used = 0;
    for (i, (label, _)) in entries.iter().enumerate() {
        let ew = entry_width(label);
        if used + ew > usable && rows.last().is_some_and(|r| !r.is_empty()) {
            rows.push(Vec::new());
            used = 0;
        }
        if let Some(row) = rows.last_mut() {
            row.push(i);
        }
        used += ew;
    }
    let row_h = (LABEL_PX * 1.6).round() as i32;
    let strip = row_h * rows.len() as i32 + 8;
    let (plot, below) = area.split_vertically(h - strip);
    for (r, row) in rows.iter().enumerate() {
        let total: i32 = row.iter().map(|&i| entry_width(&entries[i].0)).sum::<i32>() - 24;
        let mut x = (w - total) / 2;
        let y = 4 + row_h * r as i32 + row_h / 2;
        for &i in row {
            let (label, style) = &entries[i];
            below.draw(&PathElement::new(vec![(x, y), (x + 24, y)], *style))?;
            below.draw(&Text::new(
                label.clone(),
                (x + 30, y),
                TextStyle::from(font(LABEL_PX))
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            x += entry_width(label);
        }
    }
    Ok(plot)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_legend_wraps_into_rows_below_the_plot() {
        // Each entry: 30 + ceil(10 × 0.6 × 14) = 30 + 84 + 24 = 138 px; 300 − 24 = 276 px
        // hold two a row, so five entries take three rows of 22 px, plus 8: 74 px.
        let entries: Vec<(String, ShapeStyle)> = (0..5)
            .map(|i| (format!("entry {i:>4}"), line(PALETTE[i])))
            .collect();
        assert_eq!(entry_width(&entries[0].0), 138);
        let svg = crate::svg("rows", 300, 300, |area| {
            let plot = legend_below(area, &entries)?;
            assert_eq!(plot.dim_in_pixel(), (300, 226));
            Ok(())
        })
        .unwrap();
        for i in 0..5 {
            assert!(svg.contains(&format!("entry    {i}")), "{svg}");
        }
        // Every label sits below the plot.
        let ys: Vec<i32> = svg
            .match_indices("<text x=\"")
            .filter_map(|(at, _)| {
                let rest = &svg[at..];
                let y = rest.split("y=\"").nth(1)?.split('"').next()?;
                y.parse::<f64>().ok().map(|y| y as i32)
            })
            .collect();
        assert_eq!(ys.len(), 5);
        assert!(ys.iter().all(|&y| y >= 226), "{ys:?}");
    }

    #[test]
    fn categories_are_the_palette_lightened_and_wrap() {
        // Each channel moves halfway to white: (0 + 255) / 2 = 127.5 → 128, (114 + 255) / 2 = 184.5
        // → 185 (round half away from zero), (178 + 255) / 2 = 216.5 → 217.
        assert_eq!(category(0.0), RGBColor(128, 185, 217));
        assert_eq!(category(1.2), category(1.0));
        assert_eq!(category(1.0), RGBColor(234, 175, 128));
        assert_eq!(category(PALETTE.len() as f64), category(0.0));
        assert_eq!(category(-3.0), category(0.0));
        assert_eq!(category(f64::NAN), RGBColor(235, 235, 235));
    }

    #[test]
    fn colour_maps_hit_their_ends() {
        assert_eq!(sequential(0.0), WHITE);
        assert_eq!(sequential(1.0), RGBColor(8, 29, 88));
        assert_eq!(diverging(0.0), WHITE);
        assert_eq!(diverging(-1.0), RGBColor(33, 102, 172));
        assert_eq!(diverging(2.0), RGBColor(178, 24, 43));
        // Halfway: the mean of white and the end colour, per channel (rounded).
        assert_eq!(diverging(-0.5), RGBColor(144, 179, 214));
        assert_eq!(diverging(0.5), RGBColor(217, 140, 149));
        // The sequential map's knee at 0.6 is the mid blue; 0.3 is halfway from white to it.
        assert_eq!(sequential(0.6), RGBColor(66, 133, 244));
        assert_eq!(sequential(0.3), RGBColor(161, 194, 250));
        assert_eq!(sequential(0.8), RGBColor(37, 81, 166));
    }
}
