//! Password hashing with Argon2id (docs/passwords.md §5).
//!
//! - Output is a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`),
//!   readable by every Argon2 library (argon2-cffi, libsodium, the reference
//!   C implementation, RustCrypto).
//! - Defaults are OWASP's: m = 19 MiB, t = 2, p = 1 ([`HashParams::OWASP`]).
//! - The salt is a parameter (core does no I/O and owns no RNG): pass 16
//!   fresh random bytes from your CSPRNG for every new hash.
//! - An optional [`Pepper`] is fed to Argon2 as its secret input `K`; it is
//!   not recorded in the PHC string and must be kept outside the database.
//! - Passwords longer than [`MAX_PASSWORD_BYTES`] are refused before any
//!   hashing work, so an attacker cannot make the server hash megabytes.
//! - [`verify_password`] recomputes the tag and compares it in constant time;
//!   its running time depends on the stored parameters, not on the password.
//! - A stored PHC string whose cost exceeds [`HashParams::MAX_MEMORY_KIB`],
//!   [`HashParams::MAX_ITERATIONS`] or [`HashParams::MAX_PARALLELISM`] is
//!   refused rather than run, so one tampered row cannot exhaust the server.

use std::fmt;

use argon2::password_hash::phc::{self, PasswordHash};
use argon2::{Algorithm, Argon2, Params, ParamsBuilder, Version};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::{Coded, ErrorKind, Lang, Param};
use crate::quote::QuotedText;

/// Longest password accepted for hashing or verification, in UTF-8 bytes.
pub const MAX_PASSWORD_BYTES: usize = 4096;

/// Salt length recommended for new hashes (RFC 9106 §3.1: 128 bits).
pub const SALT_LEN: usize = 16;

/// Shortest salt accepted for a new hash.
pub const MIN_SALT_LEN: usize = 16;

/// Longest salt accepted for a new hash (the PHC format's limit).
pub const MAX_SALT_LEN: usize = 48;

/// Tag length of new hashes, in bytes.
pub const OUTPUT_LEN: usize = 32;

/// Longest PHC string parsed; anything longer is malformed by definition.
const MAX_PHC_LEN: usize = 512;

/// Longest tag Argon2 PHC strings carry (the PHC format's limit).
const MAX_TAG_LEN: usize = 64;

/// Argon2 cost parameters.
///
/// Serialises as `{"memory_kib":19456,"iterations":2,"parallelism":1}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HashParams {
    /// Memory cost `m` in KiB (1024-byte blocks).
    pub memory_kib: u32,
    /// Number of passes `t`.
    pub iterations: u32,
    /// Degree of parallelism `p` (lanes).
    pub parallelism: u32,
}

impl HashParams {
    /// OWASP Password Storage Cheat Sheet: m = 19 MiB, t = 2, p = 1.
    pub const OWASP: Self = Self {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };

    /// Largest memory cost accepted (4 GiB, twice RFC 9106's first
    /// recommended option).
    pub const MAX_MEMORY_KIB: u32 = 4 * 1024 * 1024;
    /// Largest number of passes accepted.
    pub const MAX_ITERATIONS: u32 = 1024;
    /// Largest number of lanes accepted.
    pub const MAX_PARALLELISM: u32 = 255;

    /// Check the parameters are within Argon2's rules and regcore's caps.
    ///
    /// # Errors
    /// [`HashError::InvalidParams`] when `t = 0`, `p = 0`, `m < 8·p`, or a
    /// value exceeds the caps above.
    pub fn validate(&self) -> Result<(), HashError> {
        let min_memory = self.parallelism.saturating_mul(8);
        let ok = self.iterations >= 1
            && self.parallelism >= 1
            && self.memory_kib >= min_memory
            && self.memory_kib <= Self::MAX_MEMORY_KIB
            && self.iterations <= Self::MAX_ITERATIONS
            && self.parallelism <= Self::MAX_PARALLELISM;
        if ok {
            Ok(())
        } else {
            Err(HashError::InvalidParams {
                memory_kib: self.memory_kib,
                iterations: self.iterations,
                parallelism: self.parallelism,
            })
        }
    }

    fn to_argon2(self, output_len: usize) -> Result<Params, HashError> {
        self.validate()?;
        Params::new(
            self.memory_kib,
            self.iterations,
            self.parallelism,
            Some(output_len),
        )
        .map_err(|_| HashError::InvalidParams {
            memory_kib: self.memory_kib,
            iterations: self.iterations,
            parallelism: self.parallelism,
        })
    }
}

impl Default for HashParams {
    fn default() -> Self {
        Self::OWASP
    }
}

/// A server-side secret mixed into every hash as Argon2's secret input `K`.
///
/// 16–64 bytes. Zeroized on drop; `Debug` never shows it. The PHC string does
/// not record which pepper was used: to rotate, try the new pepper first and
/// the old one second, and rehash on success with the old one.
#[derive(Clone)]
pub struct Pepper(Zeroizing<Vec<u8>>);

impl Pepper {
    /// Shortest pepper accepted (128 bits).
    pub const MIN_LEN: usize = 16;
    /// Longest pepper accepted.
    pub const MAX_LEN: usize = 64;

    /// Wrap a secret.
    ///
    /// # Errors
    /// [`HashError::InvalidPepper`] when shorter than [`Self::MIN_LEN`] or
    /// longer than [`Self::MAX_LEN`].
    pub fn new(secret: &[u8]) -> Result<Self, HashError> {
        if (Self::MIN_LEN..=Self::MAX_LEN).contains(&secret.len()) {
            Ok(Self(Zeroizing::new(secret.to_vec())))
        } else {
            Err(HashError::InvalidPepper {
                min: Self::MIN_LEN,
                max: Self::MAX_LEN,
            })
        }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Pepper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pepper(<redacted>)")
    }
}

/// Which part of a PHC string is wrong (the `part` parameter of
/// `hash.malformed_phc`; stable names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PhcPart {
    /// Overall syntax: `$id$v=..$params$salt$hash`, field count, length.
    Syntax,
    /// The version field is not 16 or 19.
    Version,
    /// The `m`, `t`, `p`, `keyid` or `data` parameters.
    Params,
    /// The salt is missing, not B64, or of a bad length.
    Salt,
    /// The hash output is missing, not B64, or of a bad length.
    Hash,
}

impl PhcPart {
    /// Stable snake_case name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Syntax => "syntax",
            Self::Version => "version",
            Self::Params => "params",
            Self::Salt => "salt",
            Self::Hash => "hash",
        }
    }
}

/// Why hashing or verification could not proceed. A wrong password is not an
/// error: [`verify_password`] returns `Ok(false)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HashError {
    /// The password exceeds [`MAX_PASSWORD_BYTES`]. Code `hash.input_too_long`.
    #[error("password is longer than {max_bytes} bytes")]
    InputTooLong {
        /// The cap, in UTF-8 bytes.
        max_bytes: usize,
    },
    /// The salt length is outside 16–48 bytes. Code `hash.invalid_salt`.
    #[error("salt must be {min}-{max} bytes (got {actual})")]
    InvalidSalt {
        /// Shortest salt accepted.
        min: usize,
        /// Longest salt accepted.
        max: usize,
        /// Length given.
        actual: usize,
    },
    /// The pepper length is outside 16–64 bytes. Code `hash.invalid_pepper`.
    #[error("pepper must be {min}-{max} bytes")]
    InvalidPepper {
        /// Shortest pepper accepted.
        min: usize,
        /// Longest pepper accepted.
        max: usize,
    },
    /// Cost parameters outside Argon2's rules or regcore's caps. Code
    /// `hash.invalid_params`.
    #[error("invalid Argon2 parameters m={memory_kib} t={iterations} p={parallelism}")]
    InvalidParams {
        /// Memory cost in KiB.
        memory_kib: u32,
        /// Passes.
        iterations: u32,
        /// Lanes.
        parallelism: u32,
    },
    /// A stored hash whose cost exceeds the verification limit; refused
    /// before any hashing. Code `hash.cost_over_limit`.
    #[error(
        "stored password hash costs m={memory_kib} KiB t={iterations}, over the verification limit (m <= {max_memory_kib} KiB, m*t <= {max_work})"
    )]
    CostOverLimit {
        /// Stored memory cost in KiB.
        memory_kib: u32,
        /// Stored passes.
        iterations: u32,
        /// The limit's memory cap in KiB.
        max_memory_kib: u32,
        /// The limit's work cap (memory KiB × passes).
        max_work: u64,
    },
    /// The stored string is not a well-formed Argon2 PHC string. Code
    /// `hash.malformed_phc`.
    #[error("stored password hash is malformed ({})", part.name())]
    MalformedPhc {
        /// Which part is wrong.
        part: PhcPart,
    },
    /// A well-formed PHC string of another algorithm (bcrypt, scrypt, …).
    /// Code `hash.unsupported_algorithm`.
    #[error(
        "stored password hash uses unsupported algorithm '{}'",
        QuotedText(algorithm)
    )]
    UnsupportedAlgorithm {
        /// The PHC `id` field, e.g. `scrypt`.
        algorithm: String,
    },
    /// Argon2 itself failed (e.g. it could not allocate the memory the
    /// parameters ask for). Code `hash.computation_failed`.
    #[error("Argon2 computation failed: {reason}")]
    ComputationFailed {
        /// The Argon2 library's description.
        reason: String,
    },
}

impl Coded for HashError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::InputTooLong { .. } => ErrorKind::InvalidInput,
            Self::InvalidSalt { .. } | Self::InvalidPepper { .. } | Self::InvalidParams { .. } => {
                ErrorKind::Configuration
            }
            Self::MalformedPhc { .. }
            | Self::UnsupportedAlgorithm { .. }
            | Self::CostOverLimit { .. } => ErrorKind::StoredState,
            Self::ComputationFailed { .. } => ErrorKind::Internal,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Self::InputTooLong { .. } => "hash.input_too_long",
            Self::InvalidSalt { .. } => "hash.invalid_salt",
            Self::InvalidPepper { .. } => "hash.invalid_pepper",
            Self::InvalidParams { .. } => "hash.invalid_params",
            Self::CostOverLimit { .. } => "hash.cost_over_limit",
            Self::MalformedPhc { .. } => "hash.malformed_phc",
            Self::UnsupportedAlgorithm { .. } => "hash.unsupported_algorithm",
            Self::ComputationFailed { .. } => "hash.computation_failed",
        }
    }

    fn params(&self) -> Vec<Param> {
        match self {
            Self::InputTooLong { max_bytes } => vec![("max_bytes", max_bytes.to_string())],
            Self::InvalidSalt { min, max, actual } => vec![
                ("min", min.to_string()),
                ("max", max.to_string()),
                ("actual", actual.to_string()),
            ],
            Self::InvalidPepper { min, max } => {
                vec![("min", min.to_string()), ("max", max.to_string())]
            }
            Self::InvalidParams {
                memory_kib,
                iterations,
                parallelism,
            } => vec![
                ("memory_kib", memory_kib.to_string()),
                ("iterations", iterations.to_string()),
                ("parallelism", parallelism.to_string()),
            ],
            Self::CostOverLimit {
                memory_kib,
                iterations,
                max_memory_kib,
                max_work,
            } => vec![
                ("memory_kib", memory_kib.to_string()),
                ("iterations", iterations.to_string()),
                ("max_memory_kib", max_memory_kib.to_string()),
                ("max_work", max_work.to_string()),
            ],
            Self::MalformedPhc { part } => vec![("part", part.name().into())],
            Self::UnsupportedAlgorithm { algorithm } => vec![("algorithm", algorithm.clone())],
            Self::ComputationFailed { reason } => vec![("reason", reason.clone())],
        }
    }

    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Ja => match self {
                Self::InputTooLong { max_bytes } => {
                    format!("パスワードが長すぎます（{max_bytes}バイト以内）。")
                }
                Self::InvalidSalt { min, max, actual } => {
                    format!("ソルトは{min}〜{max}バイトが必要です（指定は{actual}バイト）。")
                }
                Self::InvalidPepper { min, max } => {
                    format!("ペッパーは{min}〜{max}バイトが必要です。")
                }
                Self::InvalidParams {
                    memory_kib,
                    iterations,
                    parallelism,
                } => format!(
                    "Argon2のパラメータが不正です（m={memory_kib} t={iterations} p={parallelism}）。"
                ),
                Self::CostOverLimit {
                    memory_kib,
                    iterations,
                    max_memory_kib,
                    max_work,
                } => format!(
                    "保存されたパスワードハッシュのコスト（m={memory_kib} KiB t={iterations}）が検証の上限（m ≦ {max_memory_kib} KiB、m×t ≦ {max_work}）を超えています。"
                ),
                Self::MalformedPhc { part } => {
                    format!(
                        "保存されたパスワードハッシュの形式が不正です（{}）。",
                        part.name()
                    )
                }
                Self::UnsupportedAlgorithm { algorithm } => {
                    format!(
                        "保存されたパスワードハッシュの方式「{}」には対応していません。",
                        QuotedText(algorithm)
                    )
                }
                Self::ComputationFailed { reason } => {
                    format!("Argon2の計算に失敗しました（{reason}）。")
                }
            },
        }
    }
}

/// Hash a password into a PHC string with Argon2id v1.3.
///
/// `salt` must be 16–48 fresh random bytes ([`SALT_LEN`] recommended).
///
/// # Errors
/// [`HashError::InputTooLong`], [`HashError::InvalidSalt`],
/// [`HashError::InvalidParams`], or [`HashError::ComputationFailed`] when
/// Argon2 cannot allocate its memory.
pub fn hash_password(
    password: &str,
    salt: &[u8],
    params: &HashParams,
    pepper: Option<&Pepper>,
) -> Result<String, HashError> {
    check_password_len(password)?;
    if !(MIN_SALT_LEN..=MAX_SALT_LEN).contains(&salt.len()) {
        return Err(HashError::InvalidSalt {
            min: MIN_SALT_LEN,
            max: MAX_SALT_LEN,
            actual: salt.len(),
        });
    }
    let argon_params = params.to_argon2(OUTPUT_LEN)?;
    let mut tag = Zeroizing::new([0u8; OUTPUT_LEN]);
    compute(
        password.as_bytes(),
        salt,
        pepper.map(Pepper::as_bytes),
        Algorithm::Argon2id,
        Version::V0x13,
        argon_params.clone(),
        tag.as_mut_slice(),
    )?;
    let output = phc::Output::new(tag.as_slice()).map_err(computation_failed)?;
    let salt = phc::Salt::new(salt).map_err(|_| HashError::InvalidSalt {
        min: MIN_SALT_LEN,
        max: MAX_SALT_LEN,
        actual: salt.len(),
    })?;
    let params_string = phc::ParamsString::try_from(&argon_params).map_err(computation_failed)?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(u32::from(Version::V0x13)),
        params: params_string,
        salt: Some(salt),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// The most a stored hash may cost to verify (docs/passwords.md §5): a tampered or
/// imported row must not cost the server seconds and gigabytes.
///
/// Memory is capped directly; time by the work `m × t` (KiB × passes), which
/// is what one verification computes whatever the lane count (one thread
/// fills every lane).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyLimit {
    /// Largest memory cost verified, in KiB.
    pub max_memory_kib: u32,
    /// Largest `memory_kib × iterations` verified.
    pub max_work: u64,
}

impl VerifyLimit {
    /// Default: admits OWASP's and RFC 9106's second recommended setting
    /// (m = 64 MiB, t = 3, p = 4) with room to spare, and keeps one
    /// verification within 256 MiB and 2^20 KiB-passes (about one second
    /// of one core with the default backend; measured figures in
    /// docs/passwords.md).
    pub const DEFAULT: Self = Self {
        max_memory_kib: 256 * 1024,
        max_work: 1 << 20,
    };

    /// Whether a stored hash of these parameters may be verified.
    ///
    /// # Errors
    /// [`HashError::CostOverLimit`].
    pub fn admit(&self, params: &HashParams) -> Result<(), HashError> {
        let work = u64::from(params.memory_kib).saturating_mul(u64::from(params.iterations));
        if params.memory_kib <= self.max_memory_kib && work <= self.max_work {
            Ok(())
        } else {
            Err(HashError::CostOverLimit {
                memory_kib: params.memory_kib,
                iterations: params.iterations,
                max_memory_kib: self.max_memory_kib,
                max_work: self.max_work,
            })
        }
    }
}

impl Default for VerifyLimit {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Check a password against a stored PHC string (Argon2id, Argon2i or
/// Argon2d, version 1.0 or 1.3, as written by any conforming library).
///
/// Returns `Ok(true)` on a match and `Ok(false)` on a wrong password. The tag
/// comparison is constant-time; the work done depends only on the stored
/// parameters. The same `pepper` as at hashing time must be given.
///
/// # Errors
/// [`HashError::InputTooLong`], [`HashError::MalformedPhc`],
/// [`HashError::UnsupportedAlgorithm`], [`HashError::InvalidParams`],
/// [`HashError::CostOverLimit`] (stored cost above [`VerifyLimit::DEFAULT`],
/// refused before hashing) or [`HashError::ComputationFailed`]. An error is
/// never a match: treat it as a failed login and alert on it.
#[must_use = "a verification result must be checked"]
pub fn verify_password(
    password: &str,
    phc: &str,
    pepper: Option<&Pepper>,
) -> Result<bool, HashError> {
    verify_password_within(password, phc, pepper, &VerifyLimit::DEFAULT)
}

/// [`verify_password`] with an explicit cost limit (for sites whose stored
/// hashes legitimately cost more than the default admits).
///
/// # Errors
/// As [`verify_password`], with `limit` in place of the default.
#[must_use = "a verification result must be checked"]
pub fn verify_password_within(
    password: &str,
    phc: &str,
    pepper: Option<&Pepper>,
    limit: &VerifyLimit,
) -> Result<bool, HashError> {
    check_password_len(password)?;
    let stored = StoredHash::parse(phc)?;
    limit.admit(&HashParams {
        memory_kib: stored.params.m_cost(),
        iterations: stored.params.t_cost(),
        parallelism: stored.params.p_cost(),
    })?;
    let expected = stored.tag.as_bytes();
    let mut computed = Zeroizing::new([0u8; MAX_TAG_LEN]);
    let out = computed
        .get_mut(..expected.len())
        .ok_or(HashError::MalformedPhc {
            part: PhcPart::Hash,
        })?;
    compute(
        password.as_bytes(),
        stored.salt.as_ref(),
        pepper.map(Pepper::as_bytes),
        stored.algorithm,
        stored.version,
        stored.params,
        out,
    )?;
    Ok(bool::from(out.ct_eq(expected)))
}

/// Whether a stored hash should be recomputed with `params` at the next
/// successful login.
///
/// True when the stored hash is not Argon2id v1.3, uses less memory or fewer
/// passes than `params`, has a salt shorter than 16 bytes or a tag shorter
/// than 32 bytes. Parallelism alone never triggers a rehash (it does not
/// make an attacker's guess cheaper at equal `m` and `t`); a stored hash
/// stronger than `params` is kept.
///
/// # Errors
/// [`HashError::MalformedPhc`], [`HashError::UnsupportedAlgorithm`],
/// [`HashError::InvalidParams`] (for `params` or the stored cost).
pub fn needs_rehash(phc: &str, params: &HashParams) -> Result<bool, HashError> {
    params.validate()?;
    let stored = StoredHash::parse(phc)?;
    Ok(stored.algorithm != Algorithm::Argon2id
        || stored.version != Version::V0x13
        || stored.params.m_cost() < params.memory_kib
        || stored.params.t_cost() < params.iterations
        || stored.salt.len() < SALT_LEN
        || stored.tag.len() < OUTPUT_LEN)
}

fn check_password_len(password: &str) -> Result<(), HashError> {
    if password.len() > MAX_PASSWORD_BYTES {
        Err(HashError::InputTooLong {
            max_bytes: MAX_PASSWORD_BYTES,
        })
    } else {
        Ok(())
    }
}

fn computation_failed(err: impl fmt::Display) -> HashError {
    HashError::ComputationFailed {
        reason: err.to_string(),
    }
}

/// Which Argon2 implementation computes tags in this build: `"argon2-rust"`
/// (runtime-dispatched AVX-512/AVX2/SSE/NEON, cargo feature `argon2-simd`)
/// or `"RustCrypto argon2"` (the default). Both produce identical tags; only
/// speed differs (docs/passwords.md, "Argon2 backends").
pub const ARGON2_BACKEND: &str = if cfg!(feature = "argon2-simd") {
    "argon2-rust"
} else {
    "RustCrypto argon2"
};

/// The one place regcore calls Argon2, so the RFC 9106 known-answer test
/// exercises exactly the code hashing and verification use.
fn compute(
    password: &[u8],
    salt: &[u8],
    secret: Option<&[u8]>,
    algorithm: Algorithm,
    version: Version,
    params: Params,
    out: &mut [u8],
) -> Result<(), HashError> {
    #[cfg(feature = "argon2-simd")]
    {
        compute_simd(password, salt, secret, algorithm, version, &params, out)
    }
    #[cfg(not(feature = "argon2-simd"))]
    {
        compute_portable(password, salt, secret, algorithm, version, params, out)
    }
}

/// RustCrypto's `argon2`: portable Rust with an AVX2 block function.
#[cfg_attr(all(feature = "argon2-simd", not(test)), allow(dead_code))]
fn compute_portable(
    password: &[u8],
    salt: &[u8],
    secret: Option<&[u8]>,
    algorithm: Algorithm,
    version: Version,
    params: Params,
    out: &mut [u8],
) -> Result<(), HashError> {
    let context = match secret {
        Some(secret) => Argon2::new_with_secret(secret, algorithm, version, params)
            .map_err(computation_failed)?,
        None => Argon2::new(algorithm, version, params),
    };
    context
        .hash_password_into(password, salt, out)
        .map_err(computation_failed)
}

/// `argon2-rust`: a port of the reference C implementation with
/// runtime-dispatched SIMD block functions. Parameters were already checked
/// (and capped) by RustCrypto's `Params`; they are only translated here.
/// One thread per hash, as in the portable backend: lanes are computed in
/// turn, so a server's concurrency stays the caller's decision.
#[cfg(feature = "argon2-simd")]
fn compute_simd(
    password: &[u8],
    salt: &[u8],
    secret: Option<&[u8]>,
    algorithm: Algorithm,
    version: Version,
    params: &Params,
    out: &mut [u8],
) -> Result<(), HashError> {
    use argon2_rust as simd;
    let algorithm = match algorithm {
        Algorithm::Argon2d => simd::Algorithm::Argon2d,
        Algorithm::Argon2i => simd::Algorithm::Argon2i,
        Algorithm::Argon2id => simd::Algorithm::Argon2id,
    };
    let version = match version {
        Version::V0x10 => simd::Version::V0x10,
        Version::V0x13 => simd::Version::V0x13,
    };
    let tag_len = u64::try_from(out.len()).map_err(computation_failed)?;
    let simd_params = simd::Params::builder()
        .memory(simd::params::Memory::kib(u64::from(params.m_cost())))
        .passes(params.t_cost())
        .lanes(params.p_cost())
        .threads(1)
        .tag_len(simd::params::TagLen::bytes(tag_len))
        .build()
        .map_err(computation_failed)?;
    simd::Argon2::new(algorithm, version, simd_params)
        .hash_into_with_ad(password, salt, secret.unwrap_or(&[]), params.data(), out)
        .map_err(computation_failed)
}

/// A parsed, bounds-checked stored hash.
struct StoredHash {
    algorithm: Algorithm,
    version: Version,
    params: Params,
    salt: phc::Salt,
    tag: phc::Output,
}

impl StoredHash {
    fn parse(phc: &str) -> Result<Self, HashError> {
        let malformed = |part| HashError::MalformedPhc { part };
        if phc.len() > MAX_PHC_LEN {
            return Err(malformed(PhcPart::Syntax));
        }
        let parsed = PasswordHash::new(phc).map_err(|err| {
            malformed(match err {
                phc::Error::SaltTooShort | phc::Error::SaltTooLong => PhcPart::Salt,
                phc::Error::OutputSize { .. } => PhcPart::Hash,
                phc::Error::ParamNameDuplicated
                | phc::Error::ParamNameInvalid
                | phc::Error::ParamValueInvalid
                | phc::Error::ParamValueTooLong
                | phc::Error::ParamsMaxExceeded => PhcPart::Params,
                _ => PhcPart::Syntax,
            })
        })?;
        let algorithm = Algorithm::new(parsed.algorithm.as_str()).map_err(|_| {
            HashError::UnsupportedAlgorithm {
                algorithm: parsed.algorithm.as_str().to_owned(),
            }
        })?;
        // The reference implementation reads a missing `v=` as version 1.0
        // (0x10), so a legacy string without it is verified the same way.
        let version = Version::try_from(parsed.version.unwrap_or(0x10))
            .map_err(|_| malformed(PhcPart::Version))?;
        let salt = parsed.salt.ok_or(malformed(PhcPart::Salt))?;
        let tag = parsed.hash.ok_or(malformed(PhcPart::Hash))?;
        if tag.len() > MAX_TAG_LEN || tag.len() < Params::MIN_OUTPUT_LEN {
            return Err(malformed(PhcPart::Hash));
        }
        let mut builder = ParamsBuilder::new();
        let (mut m, mut t, mut p) = (None, None, None);
        for (name, value) in parsed.params.iter() {
            match name.as_str() {
                "m" => m = Some(value.decimal().map_err(|_| malformed(PhcPart::Params))?),
                "t" => t = Some(value.decimal().map_err(|_| malformed(PhcPart::Params))?),
                "p" => p = Some(value.decimal().map_err(|_| malformed(PhcPart::Params))?),
                "keyid" => {
                    builder.keyid(
                        value
                            .as_str()
                            .parse()
                            .map_err(|_| malformed(PhcPart::Params))?,
                    );
                }
                "data" => {
                    builder.data(
                        value
                            .as_str()
                            .parse()
                            .map_err(|_| malformed(PhcPart::Params))?,
                    );
                }
                _ => return Err(malformed(PhcPart::Params)),
            }
        }
        let (Some(m), Some(t), Some(p)) = (m, t, p) else {
            return Err(malformed(PhcPart::Params));
        };
        let cost = HashParams {
            memory_kib: m,
            iterations: t,
            parallelism: p,
        };
        cost.validate()?;
        let params = builder
            .m_cost(m)
            .t_cost(t)
            .p_cost(p)
            .output_len(tag.len())
            .build()
            .map_err(|_| malformed(PhcPart::Params))?;
        Ok(Self {
            algorithm,
            version,
            params,
            salt,
            tag,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 9106 §5.3: Argon2id v1.3, m = 32 KiB, t = 3, p = 4, 32-byte tag,
    /// password 32 × 0x01, salt 16 × 0x02, secret 8 × 0x03, associated data
    /// 12 × 0x04. The secret is shorter than a [`Pepper`] may be, so the
    /// vector drives [`compute`] (the single Argon2 call site) directly.
    #[test]
    fn rfc9106_argon2id_known_answer() {
        let params = ParamsBuilder::new()
            .m_cost(32)
            .t_cost(3)
            .p_cost(4)
            .data(argon2::AssociatedData::new(&[0x04; 12]).unwrap())
            .output_len(32)
            .build()
            .unwrap();
        let mut tag = [0u8; 32];
        compute(
            &[0x01; 32],
            &[0x02; 16],
            Some(&[0x03; 8]),
            Algorithm::Argon2id,
            Version::V0x13,
            params,
            &mut tag,
        )
        .unwrap();
        let expected: [u8; 32] = [
            0x0d, 0x64, 0x0d, 0xf5, 0x8d, 0x78, 0x76, 0x6c, 0x08, 0xc0, 0x37, 0xa3, 0x4a, 0x8b,
            0x53, 0xc9, 0xd0, 0x1e, 0xf0, 0x45, 0x2d, 0x75, 0xb6, 0x5e, 0xb5, 0x25, 0x20, 0xe9,
            0x6b, 0x01, 0xe6, 0x59,
        ];
        assert_eq!(tag, expected);
    }

    /// The same RFC vector as a PHC string: the associated data travels in
    /// the `data=` parameter. Parsing plus [`compute`] with the RFC secret
    /// reproduces the stored tag; without the secret it does not match, which
    /// shows the secret really is an input.
    #[test]
    fn rfc9106_vector_as_phc_string() {
        let phc = "$argon2id$v=19$m=32,t=3,p=4,data=BAQEBAQEBAQEBAQE$AgICAgICAgICAgICAgICAg$DWQN9Y14dmwIwDejSotTydAe8EUtdbZetSUg6WsB5lk";
        let stored = StoredHash::parse(phc).unwrap();
        let mut tag = [0u8; 32];
        compute(
            &[0x01; 32],
            stored.salt.as_ref(),
            Some(&[0x03; 8]),
            stored.algorithm,
            stored.version,
            stored.params.clone(),
            &mut tag,
        )
        .unwrap();
        assert_eq!(tag.as_slice(), stored.tag.as_bytes());

        let password = "\u{1}".repeat(32);
        assert!(!verify_password(&password, phc, None).unwrap());
    }

    /// The two backends are one function: random algorithms, versions,
    /// costs, lanes, tag lengths, secrets and associated data give the same
    /// tag from both (small memory so the property runs hundreds of cases).
    #[cfg(feature = "argon2-simd")]
    #[allow(clippy::arithmetic_side_effects)]
    mod backends_agree {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]
            #[test]
            fn simd_equals_portable(
                algorithm in prop_oneof![
                    Just(Algorithm::Argon2d),
                    Just(Algorithm::Argon2i),
                    Just(Algorithm::Argon2id),
                ],
                version in prop_oneof![Just(Version::V0x10), Just(Version::V0x13)],
                lanes in 1u32..=4,
                extra_kib in 0u32..48,
                passes in 1u32..=3,
                password in proptest::collection::vec(any::<u8>(), 0..80),
                salt in proptest::collection::vec(any::<u8>(), 8..40),
                secret in proptest::option::of(proptest::collection::vec(any::<u8>(), 1..40)),
                data in proptest::collection::vec(any::<u8>(), 0..20),
                tag_len in 4usize..=64,
            ) {
                let mut builder = ParamsBuilder::new();
                builder
                    .m_cost(8 * lanes + extra_kib)
                    .t_cost(passes)
                    .p_cost(lanes)
                    .output_len(tag_len);
                if !data.is_empty() {
                    builder.data(argon2::AssociatedData::new(&data).unwrap());
                }
                let params = builder.build().unwrap();
                let mut portable = vec![0u8; tag_len];
                let mut simd = vec![0u8; tag_len];
                compute_portable(&password, &salt, secret.as_deref(), algorithm, version, params.clone(), &mut portable).unwrap();
                compute_simd(&password, &salt, secret.as_deref(), algorithm, version, &params, &mut simd).unwrap();
                prop_assert_eq!(portable, simd);
            }
        }
    }
}
