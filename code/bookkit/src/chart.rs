//! One builder for the book's line charts: caption, margin and label areas set the same way in
//! every figure, so a change of style is made once.

use plotters::coord::Shift;
use plotters::coord::ranged1d::AsRangedCoord;
use plotters::prelude::*;

use crate::figure::FONT;

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
    /// The book's usual frame around a chart titled `caption`: 18 px title, 12 px margin, 36 px
    /// for x labels and 60 px for y labels.
    pub fn new(caption: &'a str) -> Self {
        Axes {
            caption,
            caption_size: 18,
            margin: 12,
            x_label_area: 36,
            y_label_area: 60,
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
