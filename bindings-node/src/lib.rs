//! Node binding of regcore: converts JavaScript values to core types and core
//! errors to JavaScript `Error`s. No rule lives here.

mod convert;
mod ids;

pub use ids::*;
