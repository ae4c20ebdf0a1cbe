//! Unlock keys (docs/algorithms.md §2, docs/keys.md): master secrets, device keys, UPS key codes,
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

use crate::convert::{JsNumber, JsString, OrThrow, coded_error, coded_error_with, int, name_in};
use crate::ids::{ActivationNumber, GatewayId, MprId, RegistrationId, UpsSerial};

/// What kind of device a key is diversified for (its byte is part of the
/// derivation): `'ups'` (by serial number), `'gateway'` (by gateway ID),
/// `'terminal'` (by MPR ID), `'activation'` (the activation-key authority, no ID).
/// Any other string throws `binding.unknown_name`.
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

fn kind_arg(env: &Env, kind: &str) -> Result<DeviceKind> {
    name_in(
        env,
        "kind",
        kind,
        &[
            ("ups", DeviceKind::Ups),
            ("gateway", DeviceKind::Gateway),
            ("terminal", DeviceKind::Terminal),
            ("activation", DeviceKind::Activation),
        ],
    )
}

/// A product code: an integer `0..=65535`.
fn product_arg(env: &Env, name: &str, value: JsNumber) -> Result<u16> {
    int(env, name, value)
}

/// Parse an identifier given as a string or as its class.
macro_rules! id_arg {
    ($fn:ident, $class:ident, $core:ty) => {
        pub(crate) fn $fn(
            env: &Env,
            name: &str,
            value: Either<&$class, JsString>,
        ) -> Result<$core> {
            match value {
                Either::A(id) => Ok(id.inner.clone()),
                Either::B(s) => <$core>::parse(&s.text(env, name)?).or_throw(env),
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
    /// bytes; throws `keys.master_length` otherwise). `keyId` is an integer
    /// `0..=4294967295`.
    #[napi(constructor)]
    pub fn new(env: &Env, key_id: JsNumber, bytes: Uint8Array) -> Result<Self> {
        keys::MasterSecret::new(int(env, "keyId", key_id)?, &bytes)
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
    pub fn device_key(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "DeviceKind")] kind: JsString,
        id: Option<JsString>,
    ) -> Result<DeviceKey> {
        let kind = kind_arg(env, &kind.text(env, "kind")?)?;
        let id = id
            .map(|id| id.text(env, "id"))
            .transpose()?
            .unwrap_or_default();
        device_key(&self.inner, kind, &id)
            .or_throw(env)
            .map(|inner| DeviceKey { inner })
    }

    /// Site side: the key code of the UPS with this serial number.
    #[napi]
    pub fn key_code(&self, env: &Env, serial: Either<&UpsSerial, JsString>) -> Result<KeyCode> {
        let serial = serial_arg(env, "serial", serial)?;
        Ok(KeyCode {
            inner: CoreKeyCode::for_serial(&self.inner, &serial),
        })
    }

    /// Site side: the printed password of a gateway (13 characters).
    #[napi]
    pub fn gateway_password(
        &self,
        env: &Env,
        gateway_id: Either<&GatewayId, JsString>,
    ) -> Result<String> {
        let gateway = gateway_arg(env, "gatewayId", gateway_id)?;
        Ok(exposed(&keys::GatewayPassword::for_gateway(
            &self.inner,
            &gateway,
        )))
    }

    /// Site side: check a typed (gateway ID, password) pair from the sheet in
    /// constant time (the same as `GatewayPassword.parse(typed).verify(
    /// master.deviceKey('gateway', gatewayId))`). Throws
    /// `gateway_password.mismatch` or a parse error (`gateway_password.*`).
    #[napi]
    pub fn verify_gateway_password(
        &self,
        env: &Env,
        gateway_id: Either<&GatewayId, JsString>,
        typed: JsString,
    ) -> Result<()> {
        let gateway = gateway_arg(env, "gatewayId", gateway_id)?;
        let typed = Zeroizing::new(typed.text(env, "typed")?);
        keys::GatewayPassword::verify_pair(&self.inner, &gateway, &typed).or_throw(env)
    }

    /// Site side: the registration key enabling `product` on terminal
    /// `mprId` for activation number `activationNumber` (deterministic).
    #[napi]
    pub fn registration_key(
        &self,
        env: &Env,
        mpr_id: Either<&MprId, JsString>,
        activation_number: Either<&ActivationNumber, JsString>,
        product: JsNumber,
    ) -> Result<RegistrationKey> {
        let mpr = mpr_arg(env, "mprId", mpr_id)?;
        let number = number_arg(env, "activationNumber", activation_number)?;
        let product = product_arg(env, "product", product)?;
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
    pub fn key_codes(&self, env: &Env, serials: Vec<JsString>) -> Result<Uint16Array> {
        let mut out = Vec::with_capacity(serials.len());
        for (index, s) in serials.into_iter().enumerate() {
            let s = s
                .into_text("serials")
                .map_err(|e| indexed(env, &e, index))?;
            let serial = regcore::UpsSerial::parse(&s).map_err(|e| indexed(env, &e, index))?;
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
    pub fn key_codes_from_lines(&self, env: &Env, serials: JsString) -> Result<Uint16Array> {
        let serials = serials.text(env, "serials")?;
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
    pub fn gateway_passwords(&self, env: &Env, gateway_ids: Vec<JsString>) -> Result<Vec<String>> {
        gateway_ids
            .into_iter()
            .enumerate()
            .map(|(index, g)| {
                let g = g
                    .into_text("gatewayIds")
                    .map_err(|e| indexed(env, &e, index))?;
                let gateway = regcore::GatewayId::parse(&g).map_err(|e| indexed(env, &e, index))?;
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
    pub fn device_keys(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "DeviceKind")] kind: JsString,
        ids: Vec<JsString>,
    ) -> Result<Buffer> {
        let kind = kind_arg(env, &kind.text(env, "kind")?)?;
        let mut out = Vec::with_capacity(ids.len().saturating_mul(32));
        for (index, id) in ids.into_iter().enumerate() {
            let id = id.into_text("ids").map_err(|e| indexed(env, &e, index))?;
            let key = device_key(&self.inner, kind, &id).map_err(|e| indexed(env, &e, index))?;
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
    coded_error_with(env, err, &[("index", index.to_string())])
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
    pub fn from_hex(env: &Env, hex: JsString) -> Result<Self> {
        let hex = Zeroizing::new(hex.text(env, "hex")?);
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
        activation_number: Either<&ActivationNumber, JsString>,
        product: JsNumber,
    ) -> Result<RegistrationKey> {
        let number = number_arg(env, "activationNumber", activation_number)?;
        let product = product_arg(env, "product", product)?;
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
    pub fn parse(env: &Env, input: JsString) -> Result<Self> {
        let input = input.text(env, "input")?;
        CoreKeyCode::parse(&input)
            .or_throw(env)
            .map(|inner| Self { inner })
    }

    /// From a value `0..=1023` (as returned by `MasterSecret.keyCodes`).
    /// Throws `keycode.out_of_range` for `1024..=65535`, and
    /// `binding.integer_out_of_range` / `binding.invalid_integer` for a
    /// number that is not an integer `0..=65535`.
    #[napi(factory)]
    pub fn from_value(env: &Env, value: JsNumber) -> Result<Self> {
        let v: u16 = int(env, "value", value)?;
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

    /// Device side (UPS): check this typed code against the UPS's device
    /// key, in constant time. Throws `keycode.mismatch` (kind `rejected`).
    /// Pair with the `deviceEntry` lockout policy.
    #[napi]
    pub fn verify(&self, env: &Env, key: &DeviceKey) -> Result<()> {
        self.inner.verify(&key.inner).or_throw(env)
    }
}

/// A gateway's printed password as typed (13 characters). Parse it, then
/// `verify(deviceKey)`; the characters never cross back to JavaScript.
#[napi]
pub struct GatewayPassword {
    inner: keys::GatewayPassword,
}

#[napi]
impl GatewayPassword {
    /// Parse what a user typed (either case, spaces and full-width allowed).
    /// Throws `gateway_password.*`.
    #[napi(factory)]
    pub fn parse(env: &Env, input: JsString) -> Result<Self> {
        let input = input.text(env, "input")?;
        let input = Zeroizing::new(input);
        keys::GatewayPassword::parse(&input)
            .or_throw(env)
            .map(|inner| Self { inner })
    }

    /// Device side (gateway): check this typed password against the
    /// gateway's device key, in constant time. Throws
    /// `gateway_password.mismatch` (kind `rejected`).
    #[napi]
    pub fn verify(&self, env: &Env, key: &DeviceKey) -> Result<()> {
        self.inner.verify(&key.inner).or_throw(env)
    }

    /// Always `GatewayPassword(<redacted>)`.
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        "GatewayPassword(<redacted>)".to_owned()
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
    pub fn parse(env: &Env, input: JsString) -> Result<Self> {
        let input = input.text(env, "input")?;
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

    /// Device side (terminal): authenticate this typed key against the
    /// terminal's device key and return the product code to enable. Throws
    /// `regkey.authentication_failed` (kind `rejected`).
    #[napi]
    pub fn verify(&self, env: &Env, key: &DeviceKey) -> Result<u32> {
        self.inner.verify(&key.inner).or_throw(env).map(u32::from)
    }
}

/// An activation key as printed: its number and registration ID.
#[napi]
#[derive(Clone, Copy)]
pub struct ActivationKey {
    pub(crate) inner: activation::ActivationKey,
}

#[napi]
impl ActivationKey {
    /// A typed key: its number (16 hex digits) and registration ID (8 hex
    /// digits), as strings or parsed. Throws `identifier.*`.
    #[napi(constructor)]
    pub fn new(
        env: &Env,
        number: Either<&ActivationNumber, JsString>,
        registration_id: Either<&RegistrationId, JsString>,
    ) -> Result<Self> {
        Ok(Self {
            inner: activation::ActivationKey {
                number: number_arg(env, "number", number)?,
                registration_id: regid_arg(env, "registrationId", registration_id)?,
            },
        })
    }

    /// Activation key number, `XXXX-XXXX-XXXX-XXXX`.
    #[napi(getter)]
    pub fn number(&self) -> String {
        self.inner.number.to_string()
    }

    /// Registration ID, 8 hex digits.
    #[napi(getter)]
    pub fn registration_id(&self) -> String {
        self.inner.registration_id.to_string()
    }

    /// Check this typed key against the vendor's authority (constant-time on
    /// the registration ID) and recover the product code and serial. Throws
    /// `activation.authentication_failed` (kind `rejected`).
    #[napi]
    pub fn verify(&self, env: &Env, authority: &ActivationAuthority) -> Result<ActivationInfo> {
        let info = self.inner.verify(&authority.inner).or_throw(env)?;
        Ok(ActivationInfo {
            product: u32::from(info.product),
            // A 48-bit serial is exact in a double.
            #[allow(clippy::cast_precision_loss)]
            serial: info.serial as f64,
        })
    }

    /// `{ number, registrationId }` (used by `JSON.stringify`).
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> TypedActivationKey {
        TypedActivationKey {
            number: self.number(),
            registration_id: self.registration_id(),
        }
    }

    /// Equality of values.
    #[napi]
    pub fn equals(&self, other: &ActivationKey) -> bool {
        self.inner == other.inner
    }
}

/// An activation key as typed (strings); an `ActivationKey` is one too.
#[napi(object)]
pub struct TypedActivationKey {
    /// Activation key number as typed.
    pub number: String,
    /// Registration ID as typed.
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
    fn from(inner: activation::ActivationKey) -> Self {
        Self { inner }
    }
}

/// Mints and checks activation keys (vendor side).
#[napi]
pub struct ActivationAuthority {
    pub(crate) inner: CoreAuthority,
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

    /// Mint the activation key for `product` (an integer `0..=65535`) and a
    /// 48-bit `serial` (an integer `0..=2^48 − 1`). A serial above 48 bits
    /// throws `activation.serial_out_of_range`; a number that is not an
    /// exact integer in range throws `binding.invalid_integer` or
    /// `binding.integer_out_of_range`: never a key for a wrapped or
    /// truncated value.
    #[napi]
    pub fn mint(&self, env: &Env, product: JsNumber, serial: JsNumber) -> Result<ActivationKey> {
        let product = product_arg(env, "product", product)?;
        let serial = serial_number(serial).or_throw(env)?;
        self.inner
            .mint(product, serial)
            .or_throw(env)
            .map(Into::into)
    }

    /// Batch: mint keys for `product` and every serial in `serials`, in
    /// order. Throws on the first serial out of range, with `params.index`.
    #[napi]
    pub fn mint_many(
        &self,
        env: &Env,
        product: JsNumber,
        serials: Vec<JsNumber>,
    ) -> Result<Vec<ActivationKey>> {
        let product = product_arg(env, "product", product)?;
        serials
            .iter()
            .enumerate()
            .map(|(index, s)| {
                let serial = serial_number(*s).map_err(|e| indexed(env, &e, index))?;
                self.inner
                    .mint(product, serial)
                    .map(Into::into)
                    .map_err(|e| indexed(env, &e, index))
            })
            .collect()
    }
}

/// An activation serial from a JavaScript number: an integer
/// `0..=2^53 − 1` here, then core refuses one above 48 bits
/// (`activation.serial_out_of_range`, as in every binding).
fn serial_number(value: JsNumber) -> std::result::Result<u64, regcore::BoundaryError> {
    value.integer("serial")
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
    pub fn insert(&mut self, env: &Env, code: JsNumber, product: Product) -> Result<()> {
        let code = product_arg(env, "code", code)?;
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
    pub fn get(&self, env: &Env, code: JsNumber) -> Result<Product> {
        let code = product_arg(env, "code", code)?;
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
