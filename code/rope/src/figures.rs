//! Figures.

/// Every figure of the chapter.
///
/// # Errors
/// A drawing failure.
pub fn figures() -> Result<Vec<bookkit::Figure>, bookkit::FigureError> {
    Ok(vec![])
}
