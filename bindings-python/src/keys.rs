//! Unlock keys (docs/algorithms.md §2, docs/keys.md): master and device keys, UPS key codes,
//! gateway printed passwords, activation keys and registration keys, with
//! batch functions that cross the Python boundary once.

use pyo3::conversion::FromPyObjectOwned;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyString};
use regcore::UpsSerial;
use regcore::activation::{
    ActivationAuthority, ActivationInfo, ActivationKey, Product, ProductCatalogue,
};
use regcore::keycode::KeyCode;
use regcore::keys::{Device, DeviceKey, GatewayPassword, KeyError, MasterSecret};
use regcore::regkey::RegistrationKey;

use crate::errors::{IntoPyResult, ProductItem, Text, coded_err, int, with_item_note};
use crate::ids::{
    ActivationNumberArg, GatewayIdArg, MprIdArg, PyActivationNumber, PyGatewayId, PyMprId,
    PyRegistrationId, PyUpsSerial, RegistrationIdArg, UpsSerialArg,
};

/// `regcore.MasterSecret`: the vendor master (32–64 bytes) and its key id.
#[pyclass(frozen, eq, name = "MasterSecret", module = "regcore")]
#[derive(Clone, PartialEq)]
pub struct PyMasterSecret(pub MasterSecret);

#[pymethods]
impl PyMasterSecret {
    #[new]
    #[pyo3(signature = (key_id, secret))]
    fn py_new(#[pyo3(from_py_with = int::key_id)] key_id: u32, secret: &[u8]) -> PyResult<Self> {
        MasterSecret::new(key_id, secret).py().map(Self)
    }

    /// A new master from the operating system's CSPRNG (`os.urandom`).
    #[staticmethod]
    #[pyo3(signature = (key_id, length = 32))]
    fn generate(
        py: Python<'_>,
        #[pyo3(from_py_with = int::key_id)] key_id: u32,
        #[pyo3(from_py_with = int::length)] length: usize,
    ) -> PyResult<Self> {
        let bytes = crate::random::os_bytes(py, length)?;
        MasterSecret::new(key_id, &bytes).py().map(Self)
    }

    #[getter]
    fn key_id(&self) -> u32 {
        self.0.key_id()
    }

    #[getter]
    fn is_demo(&self) -> bool {
        self.0.is_demo()
    }

    /// The demo master derived from this one (demo keys verify nowhere real).
    fn demo(&self) -> Self {
        Self(self.0.demo())
    }

    /// The diversified key of one device: a `UpsSerial`, `GatewayId` or `MprId`.
    fn device_key(&self, device: &Bound<'_, PyAny>) -> PyResult<PyDeviceKey> {
        let key = if let Ok(s) = device.cast::<PyUpsSerial>() {
            self.0.device_key(Device::Ups(&s.get().0))
        } else if let Ok(g) = device.cast::<PyGatewayId>() {
            self.0.device_key(Device::Gateway(&g.get().0))
        } else if let Ok(m) = device.cast::<PyMprId>() {
            self.0.device_key(Device::Terminal(m.get().0))
        } else {
            return Err(PyTypeError::new_err(
                "device must be UpsSerial, GatewayId or MprId (a bare str is ambiguous)",
            ));
        };
        Ok(PyDeviceKey(key))
    }

    /// The activation-key authority key `K_act`.
    fn activation_key(&self) -> PyDeviceKey {
        PyDeviceKey(self.0.activation_key())
    }

    fn __repr__(&self) -> String {
        format!(
            "MasterSecret(key_id={}, demo={}, secret=<redacted>)",
            self.0.key_id(),
            if self.0.is_demo() { "True" } else { "False" }
        )
    }
}

/// `regcore.DeviceKey`: one device's 32-byte key `K_dev`.
#[pyclass(frozen, eq, name = "DeviceKey", module = "regcore")]
#[derive(Clone, PartialEq)]
pub struct PyDeviceKey(pub DeviceKey);

#[pymethods]
impl PyDeviceKey {
    /// From the 32 key bytes (`keys.device_key_length` otherwise).
    #[new]
    fn py_new(key: &[u8]) -> PyResult<Self> {
        DeviceKey::from_slice(key).py().map(Self)
    }

    /// From 64 hex digits.
    #[staticmethod]
    fn from_hex(hex: Text) -> PyResult<Self> {
        let hex: &str = &hex;
        DeviceKey::from_hex(hex).py().map(Self)
    }

    /// The 32 key bytes, for factory programming.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.0.to_bytes().as_slice())
    }

    /// 64 lower-case hex digits, for factory programming.
    fn to_hex(&self) -> String {
        self.0.to_hex().to_string()
    }

    fn __repr__(&self) -> &'static str {
        "DeviceKey(<redacted>)"
    }
}

/// `regcore.KeyCode`: a UPS key code, 0–1023.
#[pyclass(frozen, eq, hash, ord, name = "KeyCode", module = "regcore")]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PyKeyCode(pub KeyCode);

#[pymethods]
impl PyKeyCode {
    /// Parse what a user typed: 4 decimal digits or 10 binary digits.
    #[new]
    fn py_new(typed: Text) -> PyResult<Self> {
        let typed: &str = &typed;
        KeyCode::parse(typed).py().map(Self)
    }

    /// From the numeric value (0–1023).
    #[staticmethod]
    fn from_int(#[pyo3(from_py_with = int::value_u16)] value: u16) -> PyResult<Self> {
        KeyCode::from_u16(value)
            .map(Self)
            .ok_or_else(|| coded_err(&KeyError::KeyCodeOutOfRange { value }))
    }

    /// Site side: the key code of the UPS with this serial number.
    #[staticmethod]
    fn for_serial(master: &PyMasterSecret, serial: UpsSerialArg) -> Self {
        Self(KeyCode::for_serial(&master.0, &serial.0))
    }

    /// From the UPS's own device key.
    #[staticmethod]
    fn derive(device_key: &PyDeviceKey) -> Self {
        Self(KeyCode::derive(&device_key.0))
    }

    /// Device side: check this typed code against the UPS's device key in
    /// constant time; raises `RejectedError` (`keycode.mismatch`). Pair it
    /// with the `device_entry` lockout.
    fn verify(&self, device_key: &PyDeviceKey) -> PyResult<()> {
        self.0.verify(&device_key.0).py()
    }

    #[getter]
    fn value(&self) -> u16 {
        self.0.value()
    }

    fn __int__(&self) -> u16 {
        self.0.value()
    }

    /// Four decimal digits, `0000`–`1023`.
    #[getter]
    fn decimal(&self) -> String {
        self.0.decimal()
    }

    /// Ten binary digits.
    #[getter]
    fn binary(&self) -> String {
        self.0.binary()
    }

    fn __str__(&self) -> String {
        self.0.decimal()
    }

    fn __repr__(&self) -> String {
        format!("KeyCode('{}')", self.0.decimal())
    }

    fn __getnewargs__(&self) -> (String,) {
        (self.0.decimal(),)
    }
}

/// A serial of a batch: a typed value borrowed from Python (no copy), or
/// one parsed from a string.
enum SerialItem {
    Typed(Py<PyUpsSerial>),
    Parsed(UpsSerial),
}

impl<'a, 'py> FromPyObject<'a, 'py> for SerialItem {
    type Error = PyErr;
    fn extract(ob: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(typed) = ob.cast::<PyUpsSerial>() {
            return Ok(Self::Typed(typed.to_owned().unbind()));
        }
        ob.extract::<UpsSerialArg>().map(|s| Self::Parsed(s.0))
    }
}

impl SerialItem {
    fn serial(&self) -> &UpsSerial {
        match self {
            Self::Typed(p) => &p.get().0,
            Self::Parsed(s) => s,
        }
    }
}

/// Key codes of many UPS serial numbers under one master, in one call
/// (the GIL is released while deriving).
#[pyfunction]
pub fn key_codes(
    py: Python<'_>,
    master: &PyMasterSecret,
    serials: &Bound<'_, PyAny>,
) -> PyResult<Vec<Py<PyKeyCode>>> {
    let items = extract_all(serials, |s: SerialItem| s)?;
    let master = &master.0;
    let codes: Vec<KeyCode> = py.detach(|| {
        items
            .iter()
            .map(|s| KeyCode::for_serial(master, s.serial()))
            .collect()
    });
    let table = key_code_table(py)?;
    codes
        .into_iter()
        .map(|c| match table.get(usize::from(c.value())) {
            Some(obj) => Ok(obj.clone_ref(py)),
            None => Py::new(py, PyKeyCode(c)),
        })
        .collect()
}

/// One shared immutable object per key code value (there are only 1024),
/// so a batch of 100 000 codes allocates no Python object per code.
static KEY_CODE_TABLE: PyOnceLock<Vec<Py<PyKeyCode>>> = PyOnceLock::new();

fn key_code_table(py: Python<'_>) -> PyResult<&Vec<Py<PyKeyCode>>> {
    KEY_CODE_TABLE.get_or_try_init(py, || {
        (0..=KeyCode::MAX)
            .filter_map(KeyCode::from_u16)
            .map(|c| Py::new(py, PyKeyCode(c)))
            .collect()
    })
}

/// Extract every item of an iterable, noting the failing index on error.
pub fn extract_all<'py, A, T>(items: &Bound<'py, PyAny>, map: impl Fn(A) -> T) -> PyResult<Vec<T>>
where
    A: FromPyObjectOwned<'py, Error = PyErr>,
{
    let mut out = Vec::with_capacity(items.len().unwrap_or(0));
    for (i, item) in items.try_iter()?.enumerate() {
        let item = item?;
        let value = item
            .extract::<A>()
            .map_err(|e| with_item_note(items.py(), e, i))?;
        out.push(map(value));
    }
    Ok(out)
}

/// `regcore.GatewayPassword`: a gateway's printed password.
#[pyclass(frozen, eq, name = "GatewayPassword", module = "regcore")]
#[derive(Clone, PartialEq)]
pub struct PyGatewayPassword(pub GatewayPassword);

#[pymethods]
impl PyGatewayPassword {
    /// Parse a typed password (full-width, spaces, hyphens, upper case allowed).
    #[new]
    fn py_new(typed: Text) -> PyResult<Self> {
        let typed: &str = &typed;
        GatewayPassword::parse(typed).py().map(Self)
    }

    /// Site side: the password printed for this gateway.
    #[staticmethod]
    fn for_gateway(master: &PyMasterSecret, gateway_id: GatewayIdArg) -> Self {
        Self(GatewayPassword::for_gateway(&master.0, &gateway_id.0))
    }

    /// From the gateway's own device key.
    #[staticmethod]
    fn derive(device_key: &PyDeviceKey) -> Self {
        Self(GatewayPassword::derive(&device_key.0))
    }

    /// Device side: check this typed password against the gateway's device
    /// key in constant time; raises `RejectedError`
    /// (`gateway_password.mismatch`).
    fn verify(&self, device_key: &PyDeviceKey) -> PyResult<()> {
        self.0.verify(&device_key.0).py()
    }

    /// Site side: check a typed (gateway ID, password) pair from the sheet.
    #[staticmethod]
    fn verify_pair(master: &PyMasterSecret, gateway_id: GatewayIdArg, typed: Text) -> PyResult<()> {
        let typed: &str = &typed;
        GatewayPassword::verify_pair(&master.0, &gateway_id.0, typed).py()
    }

    /// The 13 characters, for printing on the sheet.
    fn expose(&self) -> String {
        self.0.expose().to_string()
    }

    fn __repr__(&self) -> &'static str {
        "GatewayPassword(<redacted>)"
    }
}

/// `regcore.ActivationKey`: an activation number with its registration ID.
#[pyclass(frozen, eq, hash, name = "ActivationKey", module = "regcore")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyActivationKey(pub ActivationKey);

#[pymethods]
impl PyActivationKey {
    #[new]
    fn py_new(number: ActivationNumberArg, registration_id: RegistrationIdArg) -> Self {
        Self(ActivationKey {
            number: number.0,
            registration_id: registration_id.0,
        })
    }

    #[getter]
    fn number(&self) -> PyActivationNumber {
        PyActivationNumber(self.0.number)
    }

    #[getter]
    fn registration_id(&self) -> PyRegistrationId {
        PyRegistrationId(self.0.registration_id)
    }

    /// Check this typed key against the vendor's authority; returns what it
    /// activates or raises `RejectedError` (`activation.authentication_failed`).
    fn verify(&self, authority: &PyActivationAuthority) -> PyResult<PyActivationInfo> {
        self.0.verify(&authority.0).py().map(PyActivationInfo)
    }

    fn __repr__(&self) -> String {
        format!(
            "ActivationKey(number='{}', registration_id='{}')",
            self.0.number, self.0.registration_id
        )
    }

    fn __getnewargs__(&self) -> (String, String) {
        (
            self.0.number.to_string(),
            self.0.registration_id.to_string(),
        )
    }
}

/// `regcore.ActivationInfo`: what a checked activation key is.
#[pyclass(frozen, eq, hash, name = "ActivationInfo", module = "regcore")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyActivationInfo(pub ActivationInfo);

#[pymethods]
impl PyActivationInfo {
    /// Product code recovered from the number.
    #[getter]
    fn product(&self) -> u16 {
        self.0.product
    }

    /// The 48-bit serial.
    #[getter]
    fn serial(&self) -> u64 {
        self.0.serial
    }

    fn __repr__(&self) -> String {
        format!(
            "ActivationInfo(product=0x{:04X}, serial={})",
            self.0.product, self.0.serial
        )
    }
}

/// `regcore.ActivationAuthority`: mints and checks activation keys.
#[pyclass(frozen, name = "ActivationAuthority", module = "regcore")]
pub struct PyActivationAuthority(ActivationAuthority);

#[pymethods]
impl PyActivationAuthority {
    #[new]
    fn py_new(master: &PyMasterSecret) -> Self {
        Self(ActivationAuthority::new(&master.0))
    }

    /// Mint the activation key for `product` and a 48-bit `serial`.
    fn mint(
        &self,
        #[pyo3(from_py_with = int::product)] product: u16,
        #[pyo3(from_py_with = int::serial)] serial: u64,
    ) -> PyResult<PyActivationKey> {
        self.0.mint(product, serial).py().map(PyActivationKey)
    }

    fn __repr__(&self) -> &'static str {
        "ActivationAuthority(<redacted>)"
    }
}

/// `regcore.Product`: what the KMS screen shows for a product code.
#[pyclass(frozen, eq, hash, name = "Product", module = "regcore")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PyProduct(pub Product);

#[pymethods]
impl PyProduct {
    #[new]
    #[pyo3(signature = (model, key_type, demo = false))]
    fn py_new(model: String, key_type: String, demo: bool) -> Self {
        Self(Product {
            model,
            key_type,
            demo,
        })
    }

    #[getter]
    fn model(&self) -> &str {
        &self.0.model
    }

    #[getter]
    fn key_type(&self) -> &str {
        &self.0.key_type
    }

    #[getter]
    fn demo(&self) -> bool {
        self.0.demo
    }

    fn __repr__(&self) -> String {
        format!(
            "Product(model={:?}, key_type={:?}, demo={})",
            self.0.model,
            self.0.key_type,
            if self.0.demo { "True" } else { "False" }
        )
    }
}

/// `regcore.ProductCatalogue`: product code → `Product`.
#[pyclass(name = "ProductCatalogue", module = "regcore")]
#[derive(Clone, Default)]
pub struct PyProductCatalogue(pub ProductCatalogue);

#[pymethods]
impl PyProductCatalogue {
    #[new]
    #[pyo3(signature = (products = None))]
    fn py_new(products: Option<Bound<'_, pyo3::types::PyDict>>) -> PyResult<Self> {
        let mut catalogue = ProductCatalogue::new();
        for (code, product) in products.iter().flat_map(|d| d.iter()) {
            let code: ProductItem = code.extract()?;
            let product = product.cast::<PyProduct>()?;
            catalogue.insert(code.0, product.get().0.clone());
        }
        Ok(Self(catalogue))
    }

    /// Add or replace a product.
    fn insert(&mut self, #[pyo3(from_py_with = int::code)] code: u16, product: &PyProduct) {
        self.0.insert(code, product.0.clone());
    }

    /// The product with this code; raises `RefusedError`
    /// (`activation.unknown_product`) if absent.
    fn get(&self, #[pyo3(from_py_with = int::code)] code: u16) -> PyResult<PyProduct> {
        self.0.get(code).py().map(|p| PyProduct(p.clone()))
    }

    fn __len__(&self) -> usize {
        self.0.products.len()
    }

    fn __contains__(&self, #[pyo3(from_py_with = int::code)] code: u16) -> bool {
        self.0.products.contains_key(&code)
    }

    fn __repr__(&self) -> String {
        format!("ProductCatalogue({} products)", self.0.products.len())
    }
}

/// Accepts a `RegistrationKey` or the typed string.
pub struct RegistrationKeyArg(pub RegistrationKey);

impl<'a, 'py> FromPyObject<'a, 'py> for RegistrationKeyArg {
    type Error = PyErr;
    fn extract(ob: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(k) = ob.cast::<PyRegistrationKey>() {
            return Ok(Self(k.get().0));
        }
        if let Ok(s) = ob.cast::<PyString>() {
            return RegistrationKey::parse(&crate::errors::text_of(&s)?)
                .py()
                .map(Self);
        }
        Err(PyTypeError::new_err(format!(
            "expected RegistrationKey or str, got {}",
            ob.get_type().name()?
        )))
    }
}

/// `regcore.RegistrationKey`: 16 hex digits enabling one feature on one terminal.
#[pyclass(
    frozen,
    eq,
    hash,
    ord,
    str,
    name = "RegistrationKey",
    module = "regcore"
)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PyRegistrationKey(pub RegistrationKey);

impl std::fmt::Display for PyRegistrationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

#[pymethods]
impl PyRegistrationKey {
    /// Parse 16 hex digits (hyphens, spaces, full-width, lower case allowed).
    #[new]
    fn py_new(typed: Text) -> PyResult<Self> {
        let typed: &str = &typed;
        RegistrationKey::parse(typed).py().map(Self)
    }

    /// From the numeric value.
    #[staticmethod]
    fn from_int(#[pyo3(from_py_with = int::value_u64)] value: u64) -> Self {
        Self(RegistrationKey::from_u64(value))
    }

    /// Site side: the key for terminal `mpr_id` (master real or demo).
    #[staticmethod]
    fn issue(
        master: &PyMasterSecret,
        mpr_id: MprIdArg,
        number: ActivationNumberArg,
        #[pyo3(from_py_with = int::product)] product: u16,
    ) -> Self {
        Self(RegistrationKey::issue(
            &master.0, mpr_id.0, number.0, product,
        ))
    }

    /// From the terminal's own device key.
    #[staticmethod]
    fn derive(
        device_key: &PyDeviceKey,
        number: ActivationNumberArg,
        #[pyo3(from_py_with = int::product)] product: u16,
    ) -> Self {
        Self(RegistrationKey::derive(&device_key.0, number.0, product))
    }

    /// Terminal side: authenticate with `K_dev` alone and return the product
    /// code to enable; raises `RejectedError` (`regkey.authentication_failed`)
    /// otherwise.
    fn verify(&self, device_key: &PyDeviceKey) -> PyResult<u16> {
        self.0.verify(&device_key.0).py()
    }

    #[getter]
    fn value(&self) -> u64 {
        self.0.as_u64()
    }

    fn __int__(&self) -> u64 {
        self.0.as_u64()
    }

    /// 16 upper-case hex digits without hyphens.
    #[getter]
    fn compact(&self) -> String {
        self.0.compact()
    }

    fn __repr__(&self) -> String {
        format!("RegistrationKey('{}')", self.0)
    }

    fn __getnewargs__(&self) -> (String,) {
        (self.0.to_string(),)
    }
}

/// Registration keys for many `(mpr_id, activation_number, product)` items
/// under one master, in one call (the GIL is released while deriving).
#[pyfunction]
pub fn registration_keys(
    py: Python<'_>,
    master: &PyMasterSecret,
    items: &Bound<'_, PyAny>,
) -> PyResult<Vec<PyRegistrationKey>> {
    let parsed = extract_all(
        items,
        |(m, n, p): (MprIdArg, ActivationNumberArg, ProductItem)| (m.0, n.0, p.0),
    )?;
    let master = &master.0;
    Ok(py.detach(|| {
        parsed
            .iter()
            .map(|(m, n, p)| PyRegistrationKey(RegistrationKey::issue(master, *m, *n, *p)))
            .collect()
    }))
}

/// Register the classes and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMasterSecret>()?;
    m.add_class::<PyDeviceKey>()?;
    m.add_class::<PyKeyCode>()?;
    m.add_class::<PyGatewayPassword>()?;
    m.add_class::<PyActivationKey>()?;
    m.add_class::<PyActivationInfo>()?;
    m.add_class::<PyActivationAuthority>()?;
    m.add_class::<PyProduct>()?;
    m.add_class::<PyProductCatalogue>()?;
    m.add_class::<PyRegistrationKey>()?;
    m.add_function(wrap_pyfunction!(key_codes, m)?)?;
    m.add_function(wrap_pyfunction!(registration_keys, m)?)?;
    Ok(())
}
