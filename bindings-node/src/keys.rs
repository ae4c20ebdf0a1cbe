//! Unlock keys (SPEC §5.1–5.5): master secrets, device keys, UPS key codes,
//! gateway printed passwords, activation keys and registration keys, plus
//! batch derivation that crosses the JavaScript boundary once.

use napi::Env;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use regcore::activation::{self, ActivationAuthority as CoreAuthority};
use regcore::keycode::KeyCode as CoreKeyCode;
use regcore::keys::{self, Device};
use regcore::regkey::RegistrationKey as CoreRegistrationKey;
use zeroize::Zeroizing;

use crate::convert::{OrThrow, coded_error, u16_arg, u64_arg};
use crate::ids::{ActivationNumber, GatewayId, MprId, RegistrationId, UpsSerial};

/// What kind of device a key is diversified for (its byte is part of the
/// derivation): `'ups'` (by serial number), `'gateway'` (by gateway ID),
/// `'terminal'` (by MPR ID), `'activation'` (the activation-key authority, no ID).
#[napi(string_enum = "lowercase")]
#[derive(Clone, Copy)]
pub enum DeviceKind {
    /// UPS, identified by its serial number.
    Ups,
    /// Energy gateway, identified by its gateway ID.
    Gateway,
    /// Video-conference terminal, identified by its MPR ID.
    Terminal,
    /// The activation-key authority.
    Activation,
}

/// Parse an identifier given as a string or as its class.
macro_rules! id_arg {
    ($fn:ident, $class:ident, $core:ty) => {
        pub(crate) fn $fn(env: &Env, value: Either<String, &$class>) -> Result<$core> {
            match value {
                Either::A(s) => <$core>::parse(&s).or_throw(env),
                Either::B(id) => Ok(id.inner.clone()),
            }
        }
    };
}
id_arg!(mpr_arg, MprId, regcore::MprId);
id_arg!(number_arg, ActivationNumber, regcore::ActivationNumber);
id_arg!(regid_arg, RegistrationId, regcore::RegistrationId);
id_arg!(serial_arg, UpsSerial, regcore::UpsSerial);
id_arg!(gateway_arg, GatewayId, regcore::GatewayId);

/// A vendor master secret (32–64 bytes) with its key id. Stays on the
/// vendor's servers; every device key is diversified from it. The bytes never
/// cross back to JavaScript.
#[napi]
pub struct MasterSecret {
    pub(crate) inner: keys::MasterSecret,
}

#[napi]
impl MasterSecret {
    /// A master secret from its bytes (a `Buffer` or `Uint8Array`, 32–64
    /// bytes; throws `keys.master_length` otherwise).
    #[napi(constructor)]
    pub fn new(env: &Env, key_id: u32, bytes: Uint8Array) -> Result<Self> {
        keys::MasterSecret::new(key_id, &bytes)
            .or_throw(env)
            .map(|inner| Self { inner })
    }

    /// The key id given at construction (shared by its demo master).
    #[napi(getter)]
    pub fn key_id(&self) -> u32 {
        self.inner.key_id()
    }

    /// True for a demo master.
    #[napi(getter)]
    pub fn is_demo(&self) -> bool {
        self.inner.is_demo()
    }

    /// The demo master derived from this one under its own label: demo keys
    /// look real and verify on no real device.
    #[napi]
    pub fn demo(&self) -> MasterSecret {
        Self {
            inner: self.inner.demo(),
        }
    }

    /// The diversified key of one device. `id` is the serial number, gateway
    /// ID or MPR ID (ignored for `'activation'`).
    #[napi]
    pub fn device_key(&self, env: &Env, kind: DeviceKind, id: Option<String>) -> Result<DeviceKey> {
        let id = id.unwrap_or_default();
        device_key(&self.inner, kind, &id)
            .or_throw(env)
            .map(|inner| DeviceKey { inner })
    }

    /// Site side: the key code of the UPS with this serial number.
    #[napi]
    pub fn key_code(&self, env: &Env, serial: Either<String, &UpsSerial>) -> Result<KeyCode> {
        let serial = serial_arg(env, serial)?;
        Ok(KeyCode {
            inner: CoreKeyCode::for_serial(&self.inner, &serial),
        })
    }

    /// Site side: the printed password of a gateway (13 characters).
    #[napi]
    pub fn gateway_password(
        &self,
        env: &Env,
        gateway_id: Either<String, &GatewayId>,
    ) -> Result<String> {
        let gateway = gateway_arg(env, gateway_id)?;
        Ok(exposed(&keys::GatewayPassword::for_gateway(
            &self.inner,
            &gateway,
        )))
    }

    /// Site side: check a typed (gateway ID, password) pair from the sheet in
    /// constant time. Throws `gateway_password.mismatch` or a parse error
    /// (`gateway_password.*`).
    #[napi]
    pub fn verify_gateway_password(
        &self,
        env: &Env,
        gateway_id: Either<String, &GatewayId>,
        typed: String,
    ) -> Result<()> {
        let gateway = gateway_arg(env, gateway_id)?;
        let typed = Zeroizing::new(typed);
        keys::GatewayPassword::verify_pair(&self.inner, &gateway, &typed).or_throw(env)
    }

    /// Site side: the registration key enabling `product` on terminal
    /// `mprId` for activation number `activationNumber` (deterministic).
    #[napi]
    pub fn registration_key(
        &self,
        env: &Env,
        mpr_id: Either<String, &MprId>,
        activation_number: Either<String, &ActivationNumber>,
        product: u32,
    ) -> Result<RegistrationKey> {
        let mpr = mpr_arg(env, mpr_id)?;
        let number = number_arg(env, activation_number)?;
        let product = u16_arg(env, product, "product")?;
        Ok(RegistrationKey {
            inner: CoreRegistrationKey::issue(&self.inner, mpr, number, product),
        })
    }

    /// The activation-key authority of this master (mints and checks
    /// activation keys).
    #[napi]
    pub fn activation_authority(&self) -> ActivationAuthority {
        ActivationAuthority {
            inner: CoreAuthority::new(&self.inner),
        }
    }

    /// Batch: the key codes of many UPS serial numbers in one call (a factory
    /// run). Returns the values `0..=1023` in input order; format one with
    /// `KeyCode.fromValue(v)`. Throws on the first invalid serial, with
    /// `params.index` naming its position.
    #[napi]
    pub fn key_codes(&self, env: &Env, serials: Vec<String>) -> Result<Uint16Array> {
        let mut out = Vec::with_capacity(serials.len());
        for (index, s) in serials.iter().enumerate() {
            let serial = regcore::UpsSerial::parse(s).map_err(|e| indexed(env, &e, index))?;
            out.push(CoreKeyCode::for_serial(&self.inner, &serial).value());
        }
        Ok(Uint16Array::new(out))
    }

    /// Batch: like `keyCodes`, for serial numbers given as one string with
    /// one serial per line (`\n` or `\r\n`, e.g. a CSV column read from a
    /// file): the fastest form, since the whole batch crosses the boundary as
    /// one string. A trailing newline is ignored; `params.index` is the
    /// 0-based line of the first invalid serial.
    #[napi]
    pub fn key_codes_from_lines(&self, env: &Env, serials: String) -> Result<Uint16Array> {
        let body = serials.strip_suffix('\n').unwrap_or(&serials);
        if body.is_empty() {
            return Ok(Uint16Array::new(Vec::new()));
        }
        let mut out = Vec::new();
        for (index, line) in body.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let serial = regcore::UpsSerial::parse(line).map_err(|e| indexed(env, &e, index))?;
            out.push(CoreKeyCode::for_serial(&self.inner, &serial).value());
        }
        Ok(Uint16Array::new(out))
    }

    /// Batch: the printed passwords of many gateways, in input order. Throws
    /// on the first invalid gateway ID, with `params.index`.
    #[napi]
    pub fn gateway_passwords(&self, env: &Env, gateway_ids: Vec<String>) -> Result<Vec<String>> {
        gateway_ids
            .iter()
            .enumerate()
            .map(|(index, g)| {
                let gateway = regcore::GatewayId::parse(g).map_err(|e| indexed(env, &e, index))?;
                Ok(exposed(&keys::GatewayPassword::for_gateway(
                    &self.inner,
                    &gateway,
                )))
            })
            .collect()
    }

    /// Batch: the 32-byte keys of many devices of one kind, concatenated in
    /// input order (`32 × ids.length` bytes) for a factory programming
    /// station. Throws on the first invalid ID, with `params.index`.
    #[napi]
    pub fn device_keys(&self, env: &Env, kind: DeviceKind, ids: Vec<String>) -> Result<Buffer> {
        let mut out = Vec::with_capacity(ids.len().saturating_mul(32));
        for (index, id) in ids.iter().enumerate() {
            let key = device_key(&self.inner, kind, id).map_err(|e| indexed(env, &e, index))?;
            out.extend_from_slice(&*key.to_bytes());
        }
        Ok(Buffer::from(out))
    }
}

fn exposed(password: &keys::GatewayPassword) -> String {
    password.expose().to_string()
}

fn device_key(
    master: &keys::MasterSecret,
    kind: DeviceKind,
    id: &str,
) -> std::result::Result<keys::DeviceKey, regcore::IdError> {
    Ok(match kind {
        DeviceKind::Ups => master.device_key(Device::Ups(&regcore::UpsSerial::parse(id)?)),
        DeviceKind::Gateway => master.device_key(Device::Gateway(&regcore::GatewayId::parse(id)?)),
        DeviceKind::Terminal => master.device_key(Device::Terminal(regcore::MprId::parse(id)?)),
        DeviceKind::Activation => master.activation_key(),
    })
}

/// A coded error with the batch position added as `params.index`.
fn indexed<E: regcore::Coded>(env: &Env, err: &E, index: usize) -> Error {
    crate::convert::coded_error_with(env, err, &[("index", index.to_string())])
}

/// One device's 32-byte key `K_dev`. Every device-side check needs only this.
#[napi]
pub struct DeviceKey {
    pub(crate) inner: keys::DeviceKey,
}

#[napi]
impl DeviceKey {
    /// From the 32 bytes programmed into the device.
    #[napi(factory)]
    pub fn from_bytes(env: &Env, bytes: Uint8Array) -> Result<Self> {
        Ok(Self {
            inner: keys::DeviceKey::from_slice(bytes.as_ref()).map_err(|e| coded_error(env, &e))?,
        })
    }

    /// From 64 hex digits (either case; spaces and hyphens ignored). Throws
    /// `keys.device_key_format`; the error never echoes the input.
    #[napi(factory)]
    pub fn from_hex(env: &Env, hex: String) -> Result<Self> {
        let hex = Zeroizing::new(hex);
        keys::DeviceKey::from_hex(&hex)
            .or_throw(env)
            .map(|inner| Self { inner })
    }

    /// The 32 key bytes, for factory programming.
    #[napi]
    pub fn to_bytes(&self) -> Buffer {
        Buffer::from(self.inner.to_bytes().to_vec())
    }

    /// The key as 64 lower-case hex digits, for factory programming.
    #[napi]
    pub fn to_hex(&self) -> String {
        self.inner.to_hex().to_string()
    }

    /// Constant-time equality.
    #[napi]
    pub fn equals(&self, other: &DeviceKey) -> bool {
        self.inner == other.inner
    }

    /// Device side (UPS): compare a typed key code (4 decimal or 10 binary
    /// digits, or a `KeyCode`) with this UPS's code in constant time. Throws
    /// `keycode.mismatch` or a parse error (`keycode.*`).
    #[napi]
    pub fn verify_key_code(&self, env: &Env, typed: Either<String, &KeyCode>) -> Result<()> {
        let typed = match typed {
            Either::A(s) => CoreKeyCode::parse(&s).or_throw(env)?,
            Either::B(k) => k.inner,
        };
        CoreKeyCode::verify(&self.inner, typed).or_throw(env)
    }

    /// Device side (gateway): check a typed printed password in constant
    /// time. Throws `gateway_password.mismatch` or a parse error.
    #[napi]
    pub fn verify_gateway_password(&self, env: &Env, typed: String) -> Result<()> {
        let typed = Zeroizing::new(typed);
        keys::GatewayPassword::verify(&self.inner, &typed).or_throw(env)
    }

    /// Device side (terminal): authenticate a typed registration key and
    /// return the product code to enable. Throws
    /// `regkey.authentication_failed` or a parse error (`regkey.*`).
    #[napi]
    pub fn verify_registration_key(
        &self,
        env: &Env,
        typed: Either<String, &RegistrationKey>,
    ) -> Result<u32> {
        let key = match typed {
            Either::A(s) => CoreRegistrationKey::parse(&s).or_throw(env)?,
            Either::B(k) => k.inner,
        };
        key.verify(&self.inner).or_throw(env).map(u32::from)
    }

    /// The UPS key code derived from this key.
    #[napi]
    pub fn key_code(&self) -> KeyCode {
        KeyCode {
            inner: CoreKeyCode::derive(&self.inner),
        }
    }

    /// The gateway printed password derived from this key.
    #[napi]
    pub fn gateway_password(&self) -> String {
        exposed(&keys::GatewayPassword::derive(&self.inner))
    }

    /// The registration key for `activationNumber` and `product` under this
    /// terminal key.
    #[napi]
    pub fn registration_key(
        &self,
        env: &Env,
        activation_number: Either<String, &ActivationNumber>,
        product: u32,
    ) -> Result<RegistrationKey> {
        let number = number_arg(env, activation_number)?;
        let product = u16_arg(env, product, "product")?;
        Ok(RegistrationKey {
            inner: CoreRegistrationKey::derive(&self.inner, number, product),
        })
    }

    /// Always `DeviceKey(<redacted>)`: the key never appears in logs.
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        "DeviceKey(<redacted>)".to_owned()
    }
}

/// A UPS key code, `0..=1023`, shown as 4 decimal digits and as 10 binary
/// digits. A 10-bit code is guessable (1 in 1024): pair device-side entry
/// with the `deviceEntry` lockout policy.
#[napi]
#[derive(Clone, Copy)]
pub struct KeyCode {
    pub(crate) inner: CoreKeyCode,
}

#[napi]
impl KeyCode {
    /// Parse what a user typed: exactly 4 decimal or exactly 10 binary digits
    /// (full-width digits, spaces and hyphens allowed). Throws `keycode.*`.
    #[napi(factory)]
    pub fn parse(env: &Env, input: String) -> Result<Self> {
        CoreKeyCode::parse(&input)
            .or_throw(env)
            .map(|inner| Self { inner })
    }

    /// From a value `0..=1023` (as returned by `MasterSecret.keyCodes`).
    /// Throws `keycode.out_of_range` above 1023.
    #[napi(factory)]
    pub fn from_value(env: &Env, value: u32) -> Result<Self> {
        let v = u16::try_from(value).unwrap_or(u16::MAX);
        CoreKeyCode::from_u16(v)
            .map(|inner| Self { inner })
            .ok_or_else(|| coded_error(env, &keys::KeyError::KeyCodeOutOfRange { value: v }))
    }

    /// The numeric value.
    #[napi(getter)]
    pub fn value(&self) -> u32 {
        u32::from(self.inner.value())
    }

    /// Four decimal digits, `0000`–`1023`.
    #[napi(getter)]
    pub fn decimal(&self) -> String {
        self.inner.decimal()
    }

    /// Ten binary digits, most significant bit first.
    #[napi(getter)]
    pub fn binary(&self) -> String {
        self.inner.binary()
    }

    /// The decimal form.
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        self.inner.to_string()
    }

    /// The decimal form (used by `JSON.stringify`).
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> String {
        self.inner.to_string()
    }

    /// Equality of values.
    #[napi]
    pub fn equals(&self, other: &KeyCode) -> bool {
        self.inner == other.inner
    }
}

/// A registration key: 16 hex digits shown `XXXX-XXXX-XXXX-XXXX`, enabling
/// one product on one terminal.
#[napi]
#[derive(Clone, Copy)]
pub struct RegistrationKey {
    pub(crate) inner: CoreRegistrationKey,
}

#[napi]
impl RegistrationKey {
    /// Parse 16 hex digits (hyphens, spaces, full-width and lower case
    /// allowed). Throws `regkey.*`.
    #[napi(factory)]
    pub fn parse(env: &Env, input: String) -> Result<Self> {
        CoreRegistrationKey::parse(&input)
            .or_throw(env)
            .map(|inner| Self { inner })
    }

    /// 16 upper-case hex digits without hyphens.
    #[napi(getter)]
    pub fn compact(&self) -> String {
        self.inner.compact()
    }

    /// The display form `XXXX-XXXX-XXXX-XXXX`.
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        self.inner.to_string()
    }

    /// The display form (used by `JSON.stringify`).
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> String {
        self.inner.to_string()
    }

    /// Equality of values.
    #[napi]
    pub fn equals(&self, other: &RegistrationKey) -> bool {
        self.inner == other.inner
    }
}

/// An activation key as printed: its number and registration ID.
#[napi(object)]
pub struct ActivationKey {
    /// Activation key number, `XXXX-XXXX-XXXX-XXXX`.
    pub number: String,
    /// Registration ID, 8 hex digits.
    pub registration_id: String,
}

/// What checking an activation key recovers.
#[napi(object)]
pub struct ActivationInfo {
    /// Product code (`0..=65535`).
    pub product: u32,
    /// The 48-bit serial (a safe integer).
    pub serial: f64,
}

impl From<activation::ActivationKey> for ActivationKey {
    fn from(k: activation::ActivationKey) -> Self {
        Self {
            number: k.number.to_string(),
            registration_id: k.registration_id.to_string(),
        }
    }
}

/// Mints and checks activation keys (vendor side).
#[napi]
pub struct ActivationAuthority {
    inner: CoreAuthority,
}

#[napi]
impl ActivationAuthority {
    /// The authority of `master` (or of its demo master).
    #[napi(constructor)]
    pub fn new(master: &MasterSecret) -> Self {
        Self {
            inner: CoreAuthority::new(&master.inner),
        }
    }

    /// Mint the activation key for `product` (`0..=65535`) and a 48-bit
    /// `serial`. Throws `activation.serial_out_of_range`.
    #[napi]
    pub fn mint(&self, env: &Env, product: u32, serial: f64) -> Result<ActivationKey> {
        let product = u16_arg(env, product, "product")?;
        let serial = u64_arg(env, serial, "serial")?;
        self.inner
            .mint(product, serial)
            .or_throw(env)
            .map(Into::into)
    }

    /// Check a typed pair (constant-time on the registration ID) and recover
    /// the product code and serial. Throws `activation.authentication_failed`
    /// or an `identifier.*` parse error.
    #[napi]
    pub fn check(
        &self,
        env: &Env,
        number: Either<String, &ActivationNumber>,
        registration_id: Either<String, &RegistrationId>,
    ) -> Result<ActivationInfo> {
        let key = activation::ActivationKey {
            number: number_arg(env, number)?,
            registration_id: regid_arg(env, registration_id)?,
        };
        let info = self.inner.check(&key).or_throw(env)?;
        Ok(ActivationInfo {
            product: u32::from(info.product),
            // A 48-bit serial is exact in a double.
            #[allow(clippy::cast_precision_loss)]
            serial: info.serial as f64,
        })
    }

    /// Batch: mint keys for `product` and every serial in `serials`, in
    /// order. Throws on the first serial out of range, with `params.index`.
    #[napi]
    pub fn mint_many(
        &self,
        env: &Env,
        product: u32,
        serials: Vec<f64>,
    ) -> Result<Vec<ActivationKey>> {
        let product = u16_arg(env, product, "product")?;
        serials
            .iter()
            .enumerate()
            .map(|(index, s)| {
                let serial = u64_arg(env, *s, "serial")?;
                self.inner
                    .mint(product, serial)
                    .map(Into::into)
                    .map_err(|e| indexed(env, &e, index))
            })
            .collect()
    }
}

/// A product as the KMS screen shows it.
#[napi(object)]
pub struct Product {
    /// Model number, e.g. `KX-VCS101`.
    pub model: String,
    /// Activation key type, e.g. `Upgrade`.
    pub key_type: String,
    /// True for demo products.
    pub demo: bool,
}

/// Caller data: product code → what the KMS screen shows.
#[napi]
pub struct ProductCatalogue {
    inner: activation::ProductCatalogue,
}

#[napi]
impl ProductCatalogue {
    /// An empty catalogue.
    #[napi(constructor)]
    pub fn new() -> Self {
        Self {
            inner: activation::ProductCatalogue::new(),
        }
    }

    /// Add or replace a product.
    #[napi]
    pub fn insert(&mut self, env: &Env, code: u32, product: Product) -> Result<()> {
        let code = u16_arg(env, code, "code")?;
        self.inner.insert(
            code,
            activation::Product {
                model: product.model,
                key_type: product.key_type,
                demo: product.demo,
            },
        );
        Ok(())
    }

    /// The product with this code. Throws `activation.unknown_product`.
    #[napi]
    pub fn get(&self, env: &Env, code: u32) -> Result<Product> {
        let code = u16_arg(env, code, "code")?;
        let p = self.inner.get(code).or_throw(env)?;
        Ok(Product {
            model: p.model.clone(),
            key_type: p.key_type.clone(),
            demo: p.demo,
        })
    }
}

impl Default for ProductCatalogue {
    fn default() -> Self {
        Self::new()
    }
}
