//! Argon2id password hashing (SPEC §2.4). The Promise functions run Argon2 on
//! the libuv thread pool (`AsyncTask`), so a 19 MiB hash never blocks the
//! event loop; the `...Sync` twins run on the calling thread.

use napi::bindgen_prelude::*;
use napi::{Env, Task};
use napi_derive::napi;
use regcore::hash::{self, HashError, Pepper};
use zeroize::Zeroizing;

use crate::convert::{OrThrow, coded_error, random_bytes};

/// Argon2 cost parameters (OWASP defaults: `memoryKib` 19456, `iterations`
/// 2, `parallelism` 1).
#[napi(object)]
#[derive(Clone, Copy)]
pub struct HashParams {
    /// Memory cost `m` in KiB.
    pub memory_kib: u32,
    /// Number of passes `t`.
    pub iterations: u32,
    /// Degree of parallelism `p` (lanes).
    pub parallelism: u32,
}

impl From<HashParams> for hash::HashParams {
    fn from(p: HashParams) -> Self {
        Self {
            memory_kib: p.memory_kib,
            iterations: p.iterations,
            parallelism: p.parallelism,
        }
    }
}

impl From<hash::HashParams> for HashParams {
    fn from(p: hash::HashParams) -> Self {
        Self {
            memory_kib: p.memory_kib,
            iterations: p.iterations,
            parallelism: p.parallelism,
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

/// Options of `verifyPassword`.
#[napi(object, object_to_js = false)]
pub struct VerifyOptions {
    /// The pepper used when the hash was made, if any.
    pub pepper: Option<Uint8Array>,
}

/// Everything a hash needs, owned so it can move to a worker thread.
pub struct HashJob {
    password: Zeroizing<String>,
    salt: std::result::Result<Zeroizing<Vec<u8>>, crate::convert::BoundaryError>,
    params: hash::HashParams,
    pepper: Option<Zeroizing<Vec<u8>>>,
}

impl HashJob {
    fn new(password: String, options: Option<HashOptions>) -> Self {
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
            password: Zeroizing::new(password),
            salt,
            params: options.params.map_or(hash::HashParams::OWASP, Into::into),
            pepper: options.pepper.map(|p| Zeroizing::new(p.to_vec())),
        }
    }

    fn run(&self) -> std::result::Result<String, JobError> {
        let salt = self
            .salt
            .as_ref()
            .map_err(|e| JobError::Boundary(e.clone()))?;
        let pepper = self.pepper.as_deref().map(|p| Pepper::new(p)).transpose()?;
        Ok(hash::hash_password(
            &self.password,
            salt,
            &self.params,
            pepper.as_ref(),
        )?)
    }
}

/// Everything a verification needs, owned so it can move to a worker thread.
pub struct VerifyJob {
    password: Zeroizing<String>,
    phc: String,
    pepper: Option<Zeroizing<Vec<u8>>>,
}

impl VerifyJob {
    fn new(password: String, phc: String, options: Option<VerifyOptions>) -> Self {
        Self {
            password: Zeroizing::new(password),
            phc,
            pepper: options
                .and_then(|o| o.pepper)
                .map(|p| Zeroizing::new(p.to_vec())),
        }
    }

    fn run(&self) -> std::result::Result<bool, JobError> {
        let pepper = self.pepper.as_deref().map(|p| Pepper::new(p)).transpose()?;
        Ok(hash::verify_password(
            &self.password,
            &self.phc,
            pepper.as_ref(),
        )?)
    }
}

/// A hashing failure, converted to a coded JavaScript error on the main thread.
pub enum JobError {
    /// From core.
    Hash(HashError),
    /// From the binding (OS randomness).
    Boundary(crate::convert::BoundaryError),
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
/// Rejects with a `RegcoreError`: `hash.input_too_long` (over 4 KiB),
/// `hash.invalid_salt`, `hash.invalid_pepper`, `hash.invalid_params`.
#[napi(ts_return_type = "Promise<string>")]
pub fn hash_password(password: String, options: Option<HashOptions>) -> AsyncTask<HashJob> {
    AsyncTask::new(HashJob::new(password, options))
}

/// `hashPassword` on the calling thread (blocks it for the whole hash).
#[napi]
pub fn hash_password_sync(
    env: &Env,
    password: String,
    options: Option<HashOptions>,
) -> Result<String> {
    HashJob::new(password, options)
        .run()
        .map_err(|e| e.to_js(env))
}

/// Check a password against a stored PHC string (Argon2id/i/d, v1.0 or 1.3,
/// from any conforming library) on the libuv thread pool. Resolves `true` on
/// a match, `false` on a wrong password; the comparison is constant-time.
///
/// Rejects with `hash.malformed_phc`, `hash.unsupported_algorithm`,
/// `hash.invalid_params` (stored cost above the caps), `hash.input_too_long`
/// or `hash.invalid_pepper`. A rejection is never a match.
#[napi(ts_return_type = "Promise<boolean>")]
pub fn verify_password(
    password: String,
    phc: String,
    options: Option<VerifyOptions>,
) -> AsyncTask<VerifyJob> {
    AsyncTask::new(VerifyJob::new(password, phc, options))
}

/// `verifyPassword` on the calling thread (blocks it for the whole hash).
#[napi]
pub fn verify_password_sync(
    env: &Env,
    password: String,
    phc: String,
    options: Option<VerifyOptions>,
) -> Result<bool> {
    VerifyJob::new(password, phc, options)
        .run()
        .map_err(|e| e.to_js(env))
}

/// Whether a stored hash should be recomputed with `params` (OWASP's when
/// omitted) at the next successful login: weaker memory or passes, another
/// Argon2 variant or version, or a short salt or tag.
#[napi]
pub fn needs_rehash(env: &Env, phc: String, params: Option<HashParams>) -> Result<bool> {
    let params = params.map_or(hash::HashParams::OWASP, Into::into);
    hash::needs_rehash(&phc, &params).or_throw(env)
}
