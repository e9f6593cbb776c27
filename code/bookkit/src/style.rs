//! The book's visual style: colour maps, the palette, line and legend styles.

use plotters::prelude::*;

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

/// Draws a chart's legend the same way in every figure: a white box with a black border.
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
        .position(position)
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
