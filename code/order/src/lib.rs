//! placeholder
/// placeholder figures
pub fn figures() -> Result<Vec<bookkit::Figure>, bookkit::FigureError> { Ok(vec![]) }
