//! Declares the `docsrs` cfg (set by docs.rs and `RUSTDOCFLAGS="--cfg docsrs"`
//! to label feature-gated items).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(docsrs)");
}
