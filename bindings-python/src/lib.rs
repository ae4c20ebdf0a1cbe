//! regcore binding (filled by its own issue).
