//! Argon2id password hashing (docs/passwords.md §5). The Promise functions run Argon2 on
//! the libuv thread pool (`AsyncTask`), so a 19 MiB hash never blocks the
//! event loop; the `...Sync` twins run on the calling thread.

use napi::bindgen_prelude::*;
use napi::{Env, Task};
use napi_derive::napi;
use regcore::hash::{self, HashError, Pepper};
use zeroize::Zeroizing;

use regcore::BoundaryError;

use crate::convert::{JsNumber, JsString, OrThrow, coded_error, random_bytes};

/// Argon2 cost parameters (OWASP defaults: `memoryKib` 19456, `iterations`
/// 2, `parallelism` 1). Each is an integer `0..=4294967295` at the boundary
/// (core then checks Argon2's own limits: `hash.invalid_params`).
#[napi(object)]
#[derive(Clone, Copy)]
pub struct HashParams {
    /// Memory cost `m` in KiB.
    pub memory_kib: JsNumber,
    /// Number of passes `t`.
    pub iterations: JsNumber,
    /// Degree of parallelism `p` (lanes).
    pub parallelism: JsNumber,
}

impl HashParams {
    fn to_core(self) -> std::result::Result<hash::HashParams, BoundaryError> {
        Ok(hash::HashParams {
            memory_kib: self.memory_kib.integer("memoryKib")?,
            iterations: self.iterations.integer("iterations")?,
            parallelism: self.parallelism.integer("parallelism")?,
        })
    }
}

fn params_arg(params: Option<HashParams>) -> std::result::Result<hash::HashParams, BoundaryError> {
    params.map_or(Ok(hash::HashParams::OWASP), HashParams::to_core)
}

impl From<hash::HashParams> for HashParams {
    fn from(p: hash::HashParams) -> Self {
        Self {
            memory_kib: p.memory_kib.into(),
            iterations: p.iterations.into(),
            parallelism: p.parallelism.into(),
        }
    }
}

/// OWASP's Argon2id parameters, the default for new hashes: m = 19 MiB, t = 2, p = 1.
#[napi]
pub fn owasp_hash_params() -> HashParams {
    hash::HashParams::OWASP.into()
}

/// Options of `hashPassword`.
#[napi(object, object_to_js = false)]
pub struct HashOptions {
    /// Cost parameters; OWASP's when omitted.
    pub params: Option<HashParams>,
    /// 16–48 bytes of fresh randomness; 16 bytes from the OS CSPRNG when
    /// omitted (pass it only for reproducible tests).
    pub salt: Option<Uint8Array>,
    /// Server-side secret (16–64 bytes) fed to Argon2 as its secret input;
    /// not recorded in the PHC string.
    pub pepper: Option<Uint8Array>,
}

/// The most a stored hash may cost to verify; a costlier one is refused
/// with `hash.cost_over_limit` before anything is computed. The default
/// (`defaultVerifyLimit()`): `maxMemoryKib` 262144 (256 MiB), `maxWork`
/// 1048576 (memory KiB × passes, about one second of one core).
#[napi(object)]
#[derive(Clone, Copy)]
pub struct VerifyLimit {
    /// Largest memory cost verified, in KiB (`0..=4294967295`).
    pub max_memory_kib: JsNumber,
    /// Largest `memoryKib × iterations` verified (`0..=2^53 − 1`).
    pub max_work: JsNumber,
}

impl VerifyLimit {
    fn to_core(self) -> std::result::Result<hash::VerifyLimit, BoundaryError> {
        Ok(hash::VerifyLimit {
            max_memory_kib: self.max_memory_kib.integer("maxMemoryKib")?,
            max_work: self.max_work.integer("maxWork")?,
        })
    }
}

/// The limit `verifyPassword` applies when none is given.
#[napi]
pub fn default_verify_limit() -> VerifyLimit {
    let limit = hash::VerifyLimit::DEFAULT;
    VerifyLimit {
        max_memory_kib: limit.max_memory_kib.into(),
        max_work: crate::convert::secs(limit.max_work).into(),
    }
}

/// Options of `verifyPassword`.
#[napi(object, object_to_js = false)]
pub struct VerifyOptions {
    /// The pepper used when the hash was made, if any.
    pub pepper: Option<Uint8Array>,
    /// The cost limit (`defaultVerifyLimit()` when omitted); raise it only
    /// for hashes you made yourself with costlier parameters.
    pub limit: Option<VerifyLimit>,
}

/// Everything a hash needs, owned so it can move to a worker thread.
pub struct HashJob {
    password: std::result::Result<Zeroizing<String>, BoundaryError>,
    salt: std::result::Result<Zeroizing<Vec<u8>>, BoundaryError>,
    params: std::result::Result<hash::HashParams, BoundaryError>,
    pepper: Option<Zeroizing<Vec<u8>>>,
}

impl HashJob {
    fn new(
        password: std::result::Result<String, BoundaryError>,
        options: Option<HashOptions>,
    ) -> Self {
        let options = options.unwrap_or(HashOptions {
            params: None,
            salt: None,
            pepper: None,
        });
        let salt = match options.salt {
            Some(salt) => Ok(Zeroizing::new(salt.to_vec())),
            None => random_bytes(hash::SALT_LEN).map(Zeroizing::new),
        };
        Self {
            password: password.map(Zeroizing::new),
            salt,
            params: params_arg(options.params),
            pepper: options.pepper.map(|p| Zeroizing::new(p.to_vec())),
        }
    }

    fn run(&self) -> std::result::Result<String, JobError> {
        let password = self
            .password
            .as_ref()
            .map_err(|e| JobError::Boundary(e.clone()))?;
        let params = self.params.clone().map_err(JobError::Boundary)?;
        let salt = self
            .salt
            .as_ref()
            .map_err(|e| JobError::Boundary(e.clone()))?;
        let pepper = self.pepper.as_deref().map(|p| Pepper::new(p)).transpose()?;
        Ok(hash::hash_password(
            password,
            salt,
            &params,
            pepper.as_ref(),
        )?)
    }
}

/// Everything a verification needs, owned so it can move to a worker thread.
pub struct VerifyJob {
    password: std::result::Result<Zeroizing<String>, BoundaryError>,
    phc: std::result::Result<String, BoundaryError>,
    pepper: Option<Zeroizing<Vec<u8>>>,
    limit: std::result::Result<hash::VerifyLimit, BoundaryError>,
}

impl VerifyJob {
    fn new(
        password: std::result::Result<String, BoundaryError>,
        phc: std::result::Result<String, BoundaryError>,
        options: Option<VerifyOptions>,
    ) -> Self {
        let (pepper, limit) = options.map_or((None, None), |o| (o.pepper, o.limit));
        Self {
            password: password.map(Zeroizing::new),
            phc,
            pepper: pepper.map(|p| Zeroizing::new(p.to_vec())),
            limit: limit.map_or(Ok(hash::VerifyLimit::DEFAULT), VerifyLimit::to_core),
        }
    }

    fn run(&self) -> std::result::Result<bool, JobError> {
        let password = self
            .password
            .as_ref()
            .map_err(|e| JobError::Boundary(e.clone()))?;
        let phc = self
            .phc
            .as_ref()
            .map_err(|e| JobError::Boundary(e.clone()))?;
        let limit = self.limit.clone().map_err(JobError::Boundary)?;
        let pepper = self.pepper.as_deref().map(|p| Pepper::new(p)).transpose()?;
        Ok(hash::verify_password_within(
            password,
            phc,
            pepper.as_ref(),
            &limit,
        )?)
    }
}

/// A hashing failure, converted to a coded JavaScript error on the main thread.
pub enum JobError {
    /// From core.
    Hash(HashError),
    /// At the boundary (OS randomness).
    Boundary(BoundaryError),
}

impl From<HashError> for JobError {
    fn from(e: HashError) -> Self {
        Self::Hash(e)
    }
}

impl JobError {
    fn to_js(&self, env: &Env) -> Error {
        match self {
            Self::Hash(e) => coded_error(env, e),
            Self::Boundary(e) => coded_error(env, e),
        }
    }
}

impl Task for HashJob {
    type Output = std::result::Result<String, JobError>;
    type JsValue = String;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(self.run())
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<String> {
        output.map_err(|e| e.to_js(&env))
    }
}

impl Task for VerifyJob {
    type Output = std::result::Result<bool, JobError>;
    type JsValue = bool;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(self.run())
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<bool> {
        output.map_err(|e| e.to_js(&env))
    }
}

/// Hash a password into an Argon2id PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$…`) on the libuv thread pool.
///
/// Rejects with a `RegcoreError`: `binding.invalid_string` (a password
/// that is not a string or holds a lone surrogate), `binding.invalid_integer` /
/// `binding.integer_out_of_range` (a cost that is not a `u32`),
/// `hash.input_too_long` (over 4 KiB),
/// `hash.invalid_salt`, `hash.invalid_pepper`, `hash.invalid_params`.
#[napi(ts_return_type = "Promise<string>")]
pub fn hash_password(password: JsString, options: Option<HashOptions>) -> AsyncTask<HashJob> {
    AsyncTask::new(HashJob::new(password.into_text("password"), options))
}

/// `hashPassword` on the calling thread (blocks it for the whole hash).
#[napi]
pub fn hash_password_sync(
    env: &Env,
    password: JsString,
    options: Option<HashOptions>,
) -> Result<String> {
    HashJob::new(password.into_text("password"), options)
        .run()
        .map_err(|e| e.to_js(env))
}

/// Check a password against a stored PHC string (Argon2id/i/d, v1.0 or 1.3,
/// from any conforming library) on the libuv thread pool. Resolves `true` on
/// a match, `false` on a wrong password; the comparison is constant-time.
///
/// A stored cost above `options.limit` (default `defaultVerifyLimit()`) is
/// refused with `hash.cost_over_limit` (kind `stored_state`) before any
/// hashing, so a tampered row cannot tie up the server.
///
/// Rejects with `hash.cost_over_limit`, `hash.malformed_phc`,
/// `hash.unsupported_algorithm`, `hash.invalid_params`,
/// `hash.input_too_long` or `hash.invalid_pepper`. A rejection is never a
/// match.
#[napi(ts_return_type = "Promise<boolean>")]
pub fn verify_password(
    password: JsString,
    phc: JsString,
    options: Option<VerifyOptions>,
) -> AsyncTask<VerifyJob> {
    AsyncTask::new(VerifyJob::new(
        password.into_text("password"),
        phc.into_text("phc"),
        options,
    ))
}

/// `verifyPassword` on the calling thread (blocks it for the whole hash).
#[napi]
pub fn verify_password_sync(
    env: &Env,
    password: JsString,
    phc: JsString,
    options: Option<VerifyOptions>,
) -> Result<bool> {
    VerifyJob::new(
        password.into_text("password"),
        phc.into_text("phc"),
        options,
    )
    .run()
    .map_err(|e| e.to_js(env))
}

/// Whether a stored hash should be recomputed with `params` (OWASP's when
/// omitted) at the next successful login: weaker memory or passes, another
/// Argon2 variant or version, or a short salt or tag.
#[napi]
pub fn needs_rehash(env: &Env, phc: JsString, params: Option<HashParams>) -> Result<bool> {
    let phc = phc.text(env, "phc")?;
    let params = params_arg(params).or_throw(env)?;
    hash::needs_rehash(&phc, &params).or_throw(env)
}
