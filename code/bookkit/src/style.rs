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

/// Colours for curves and markers: Okabe and Ito's palette, which stays distinct for common
/// colour-vision deficiencies, with its orange (`#E69F00`) and sky blue (`#56B4E9`) darkened
/// (HLS lightness × 0.8 and × 0.75) so that every entry has a contrast of at least 3:1 (WCAG 2.2,
/// 1.4.11) against both [`PAPER`] and [`DARK_PAPER`]: a figure keeps its colours in every theme.
/// The test `code/xtask/tests/figure_files.rs` measures every committed figure.
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(184, 127, 0),
    RGBColor(28, 145, 212),
];

/// A figure's background in the light themes and on paper.
pub const PAPER: RGBColor = WHITE;

/// Text, axes and frames in the light themes and on paper.
pub const INK: RGBColor = BLACK;

/// A figure's background in mdBook's dark themes (navy, coal, ayu): a panel a little lighter than
/// their page backgrounds.
pub const DARK_PAPER: RGBColor = RGBColor(0x1A, 0x1D, 0x24);

/// Text, axes and frames in the dark themes.
pub const DARK_INK: RGBColor = RGBColor(0xE6, 0xE6, 0xE6);

/// Dark text on a data colour (a heatmap cell): black to the eye, but not [`INK`], so the dark
/// themes leave it as it is (the cell keeps its colour too).
pub const CELL_INK: RGBColor = RGBColor(1, 1, 1);

/// The style every figure carries (written by [`crate::svg`]): in a dark colour scheme (mdBook's
/// navy, coal and ayu themes set `color-scheme: dark`, which an `<img>`'s SVG sees as
/// `prefers-color-scheme: dark`) the [`PAPER`] rectangles (background, legend boxes) turn
/// [`DARK_PAPER`] and everything in [`INK`] turns [`DARK_INK`]. Data colours (heatmap cells,
/// [`CELL_INK`] and white text on them, the palette) are the same in every theme. CSS outranks
/// the SVG's presentation attributes, so the drawing itself is the light one.
///
/// ```
/// let style = bookkit::style::dark_style();
/// assert!(style.contains("@media (prefers-color-scheme: dark)"));
/// assert!(style.contains(r##"rect[fill="#FFFFFF"] { fill: #1A1D24; }"##));
/// ```
pub fn dark_style() -> String {
    let hex = |c: RGBColor| format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
    let (paper, ink) = (hex(PAPER), hex(INK));
    let (dark_paper, dark_ink) = (hex(DARK_PAPER), hex(DARK_INK));
    format!(
        "<style>\n@media (prefers-color-scheme: dark) {{\n\
         rect[fill=\"{paper}\"] {{ fill: {dark_paper}; }}\n\
         [fill=\"{ink}\"] {{ fill: {dark_ink}; }}\n\
         [stroke=\"{ink}\"] {{ stroke: {dark_ink}; }}\n\
         }}\n</style>\n"
    )
}

/// The relative luminance of an sRGB colour (WCAG 2.2's definition, from 0 for black to 1 for
/// white).
///
/// ```
/// use plotters::prelude::*;
/// assert_eq!(bookkit::style::luminance(BLACK), 0.0);
/// assert!((bookkit::style::luminance(WHITE) - 1.0).abs() < 1e-12);
/// ```
pub fn luminance(c: RGBColor) -> f64 {
    let channel = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(c.0) + 0.7152 * channel(c.1) + 0.0722 * channel(c.2)
}

/// WCAG 2.2's contrast ratio of two colours, from 1 (the same) to 21 (black on white).
///
/// ```
/// use plotters::prelude::*;
/// assert!((bookkit::style::contrast(BLACK, WHITE) - 21.0).abs() < 1e-9);
/// assert_eq!(bookkit::style::contrast(WHITE, BLACK), bookkit::style::contrast(BLACK, WHITE));
/// ```
pub fn contrast(a: RGBColor, b: RGBColor) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The text colour for a cell of colour `fill`: [`CELL_INK`] or white, whichever contrasts more.
/// One of the two always reaches 4.5:1 (WCAG 2.2, 1.4.3): they tie at a luminance of about
/// 0.18, where both give about 4.6:1.
///
/// ```
/// use plotters::prelude::*;
/// use bookkit::style::{CELL_INK, ink_on};
/// assert_eq!(ink_on(RGBColor(8, 29, 88)), WHITE); // the sequential map's navy end
/// assert_eq!(ink_on(RGBColor(66, 133, 244)), CELL_INK); // its mid blue: 5.9:1, white 3.6:1
/// ```
pub fn ink_on(fill: RGBColor) -> RGBColor {
    if contrast(CELL_INK, fill) >= contrast(WHITE, fill) {
        CELL_INK
    } else {
        WHITE
    }
}

/// `c` as a data colour (a heatmap cell, a colour key): [`PAPER`] itself becomes the white next
/// to it, so that the dark themes, which turn paper-coloured rectangles dark, leave data alone.
///
/// ```
/// use plotters::prelude::*;
/// assert_eq!(bookkit::style::data_fill(WHITE), RGBColor(254, 254, 254));
/// assert_eq!(bookkit::style::data_fill(RGBColor(8, 29, 88)), RGBColor(8, 29, 88));
/// ```
pub fn data_fill(c: RGBColor) -> RGBColor {
    if c == PAPER {
        RGBColor(254, 254, 254)
    } else {
        c
    }
}

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
        .background_style(PAPER)
        .border_style(INK)
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
                    .color(&INK)
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
