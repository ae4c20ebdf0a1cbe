//! Node binding of regcore: converts JavaScript values to core types and core
//! errors to JavaScript `Error`s. No rule lives here.

mod codes;
mod convert;
mod hash;
mod ids;
mod keys;
mod lockout;
mod pairing;
mod policy;
mod schema;
mod store;

pub use codes::*;
pub use convert::{Date, Diagnostic};
pub use hash::*;
pub use ids::*;
pub use keys::*;
pub use lockout::*;
pub use pairing::*;
pub use policy::*;
pub use schema::*;
pub use store::*;
