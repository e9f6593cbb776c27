//! One builder for the book's line charts: caption, margin and label areas set the same way in
//! every figure, so a change of style is made once.

use plotters::coord::Shift;
use plotters::coord::ranged1d::AsRangedCoord;
use plotters::prelude::*;

use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::Ranged;

use crate::figure::FONT;

/// The size, in SVG pixels, of every tick label, axis title, legend entry and heatmap label.
///
/// The book's rule: text is at least 11 px when a figure is shown in mdBook's 750 px content
/// column. Figures are at most 900 px wide, so 14 px renders at 14 × 750 / 900 ≈ 11.7 px or more;
/// on a phone the theme shows a figure 600 px wide in a box of its own that scrolls sideways
/// (`src/theme/fit.css`), where it renders at 14 × 600 / 900 ≈ 9.3 px or more. The test
/// `code/xtask/tests/figure_files.rs` holds every committed SVG to this rule.
pub const LABEL_PX: f64 = 14.0;

/// The size, in SVG pixels, of a figure's title.
pub const TITLE_PX: f64 = 16.0;

/// The font of `px` SVG pixels. plotters' SVG backend writes a font of size `s` as
/// `font-size="s / 1.24"`; this passes `px × 1.24` so the file says `px`.
///
/// ```
/// let svg = bookkit::svg("t", 100, 40, |area| {
///     use plotters::prelude::*;
///     area.draw(&Text::new("x", (5, 5), bookkit::chart::font(14.0)))?;
///     Ok(())
/// })?;
/// assert!(svg.contains("font-size=\"14\""), "{svg}");
/// # Ok::<(), bookkit::FigureError>(())
/// ```
pub fn font(px: f64) -> FontDesc<'static> {
    // 1.24 is the SVG backend's divisor (plotters-svg 0.3.7, `SVGBackend::draw_text`).
    (FONT, px * 1.24).into_font()
}

/// The book's text sizes for a chart's mesh: tick labels and axis titles at [`LABEL_PX`]. Call
/// it first after `configure_mesh()`; plotters' default (12, written as 9.7 px) is too small.
///
/// ```
/// use bookkit::chart::{Axes, BookMesh};
/// let svg = bookkit::svg("mesh", 300, 200, |area| {
///     let mut chart = Axes::new("t").build(area, 0f64..1f64, 0f64..1f64)?;
///     chart.configure_mesh().book_labels().x_desc("x").draw()?;
///     Ok(())
/// })?;
/// assert!(svg.contains("font-size=\"14\""));
/// assert!(!svg.contains("font-size=\"9.67"));
/// # Ok::<(), bookkit::FigureError>(())
/// ```
pub trait BookMesh {
    /// Sets tick labels and axis titles to [`LABEL_PX`].
    fn book_labels(&mut self) -> &mut Self;
}

impl<X: Ranged, Y: Ranged, DB: DrawingBackend> BookMesh for MeshStyle<'_, '_, X, Y, DB> {
    fn book_labels(&mut self) -> &mut Self {
        self.label_style(font(LABEL_PX))
            .axis_desc_style(font(LABEL_PX))
    }
}

/// The frame of a line chart: everything but the data and the mesh labels.
#[derive(Debug, Clone, Copy)]
pub struct Axes<'a> {
    /// Title above the plot.
    pub caption: &'a str,
    /// Font size of the title.
    pub caption_size: u32,
    /// Space around the plot, in pixels.
    pub margin: u32,
    /// Height of the area under the plot that holds the x tick labels.
    pub x_label_area: u32,
    /// Width of the area left of the plot that holds the y tick labels.
    pub y_label_area: u32,
}

impl<'a> Axes<'a> {
    /// The book's usual frame around a chart titled `caption`: a 20 (16 px) title, 12 px
    /// margin, 48 px for x labels and 66 px for y labels (room for [`LABEL_PX`] text and an axis
    /// title each).
    pub fn new(caption: &'a str) -> Self {
        Axes {
            caption,
            caption_size: 20,
            margin: 12,
            x_label_area: 48,
            y_label_area: 66,
        }
    }

    /// The same frame with `height` px for the x labels.
    pub fn x_label_area(self, height: u32) -> Self {
        Axes {
            x_label_area: height,
            ..self
        }
    }

    /// The same frame with a title of `size` px.
    pub fn caption_size(self, size: u32) -> Self {
        Axes {
            caption_size: size,
            ..self
        }
    }

    /// The same frame with `width` px for the y labels.
    pub fn y_label_area(self, width: u32) -> Self {
        Axes {
            y_label_area: width,
            ..self
        }
    }

    /// Builds the chart on `area` with ranges `x` and `y` (plain ranges, or `.log_scale()`).
    ///
    /// # Errors
    /// A drawing failure.
    ///
    /// ```
    /// let svg = bookkit::svg("axes", 300, 200, |area| {
    ///     let mut chart = bookkit::chart::Axes::new("t").build(area, 0f64..1f64, 0f64..1f64)?;
    ///     chart.configure_mesh().draw()?;
    ///     Ok(())
    /// })?;
    /// assert!(svg.contains(">t<") || svg.contains(">\nt\n<"));
    /// # Ok::<(), bookkit::FigureError>(())
    /// ```
    #[allow(clippy::type_complexity)]
    pub fn build<'c, 'b, X: AsRangedCoord, Y: AsRangedCoord>(
        &self,
        area: &'c DrawingArea<SVGBackend<'b>, Shift>,
        x: X,
        y: Y,
    ) -> Result<
        ChartContext<'c, SVGBackend<'b>, Cartesian2d<X::CoordDescType, Y::CoordDescType>>,
        Box<dyn std::error::Error>,
    > {
        let chart = ChartBuilder::on(area)
            .caption(self.caption, (FONT, self.caption_size))
            .margin(self.margin)
            .x_label_area_size(self.x_label_area)
            .y_label_area_size(self.y_label_area)
            .build_cartesian_2d(x, y)
            .map_err(|e| e.to_string())?;
        Ok(chart)
    }
}
