//! Maintenance links (docs/pairing.md §2): dealers linked to a gateway and a dealer's
//! maintenance e-mail addresses.

use pyo3::prelude::*;
use regcore::maintenance::{Change, DealerAccount, GatewayMaintenance};

use crate::errors::{IntoPyResult, Text};
use crate::ids::{
    DealerIdArg, EmailAddressArg, GatewayIdArg, PhoneNumberArg, PyDealerId, PyEmailAddress,
    PyGatewayId, PyPhoneNumber,
};

const fn change_name(c: Change) -> &'static str {
    match c {
        Change::Added => "added",
        Change::AlreadyPresent => "already_present",
    }
}

fn json_err(e: serde_json::Error) -> PyErr {
    crate::errors::coded_err(&regcore::BoundaryError::MalformedJson {
        what: "maintenance",
        reason: e.to_string(),
    })
}

/// `regcore.DealerAccount`: a dealer's ID, phone number and maintenance e-mails.
#[pyclass(eq, name = "DealerAccount", module = "regcore")]
#[derive(Clone, PartialEq)]
pub struct PyDealerAccount(DealerAccount);

#[pymethods]
impl PyDealerAccount {
    #[new]
    fn py_new(dealer_id: DealerIdArg, phone: PhoneNumberArg) -> Self {
        Self(DealerAccount::new(dealer_id.0, phone.0))
    }

    #[getter]
    fn dealer_id(&self) -> PyDealerId {
        PyDealerId(self.0.dealer_id.clone())
    }

    #[getter]
    fn phone(&self) -> PyPhoneNumber {
        PyPhoneNumber(self.0.phone.clone())
    }

    /// Maintenance addresses in the order added.
    #[getter]
    fn emails(&self) -> Vec<PyEmailAddress> {
        self.0
            .emails()
            .iter()
            .cloned()
            .map(PyEmailAddress)
            .collect()
    }

    /// Add an address: `"added"` or `"already_present"`.
    fn add_email(&mut self, email: EmailAddressArg) -> PyResult<&'static str> {
        self.0.add_email(email.0).py().map(change_name)
    }

    /// Remove an address (matched by comparison key).
    fn remove_email(&mut self, email: EmailAddressArg) -> PyResult<()> {
        self.0.remove_email(&email.0).py()
    }

    /// Serialise (serde JSON) for storage.
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.0).map_err(json_err)
    }

    /// Load what `to_json` wrote.
    #[staticmethod]
    fn from_json(json: Text) -> PyResult<Self> {
        let json: &str = &json;
        serde_json::from_str(json).map(Self).map_err(json_err)
    }

    fn __repr__(&self) -> String {
        format!(
            "DealerAccount(dealer_id='{}', phone='{}', emails={})",
            self.0.dealer_id,
            self.0.phone,
            self.0.emails().len()
        )
    }
}

/// `regcore.GatewayMaintenance`: the dealers maintaining one gateway.
#[pyclass(eq, name = "GatewayMaintenance", module = "regcore")]
#[derive(Clone, PartialEq)]
pub struct PyGatewayMaintenance(GatewayMaintenance);

#[pymethods]
impl PyGatewayMaintenance {
    #[new]
    fn py_new(gateway_id: GatewayIdArg) -> Self {
        Self(GatewayMaintenance::new(gateway_id.0))
    }

    #[getter]
    fn gateway_id(&self) -> PyGatewayId {
        PyGatewayId(self.0.gateway_id.clone())
    }

    /// Linked dealers in the order linked.
    #[getter]
    fn dealers(&self) -> Vec<PyDealerId> {
        self.0.dealers().iter().cloned().map(PyDealerId).collect()
    }

    /// Link the dealer named by ID and phone; `account` is what you found
    /// for that dealer ID (`None` if none). Returns `"added"` or
    /// `"already_present"`.
    #[pyo3(signature = (dealer_id, phone, account))]
    fn link(
        &mut self,
        dealer_id: DealerIdArg,
        phone: PhoneNumberArg,
        account: Option<PyRef<'_, PyDealerAccount>>,
    ) -> PyResult<&'static str> {
        self.0
            .link(&dealer_id.0, &phone.0, account.as_deref().map(|a| &a.0))
            .py()
            .map(change_name)
    }

    /// Unlink a dealer.
    fn unlink(&mut self, dealer_id: DealerIdArg) -> PyResult<()> {
        self.0.unlink(&dealer_id.0).py()
    }

    /// Serialise (serde JSON) for storage.
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.0).map_err(json_err)
    }

    /// Load what `to_json` wrote.
    #[staticmethod]
    fn from_json(json: Text) -> PyResult<Self> {
        let json: &str = &json;
        serde_json::from_str(json).map(Self).map_err(json_err)
    }

    fn __repr__(&self) -> String {
        format!(
            "GatewayMaintenance(gateway_id='{}', dealers={})",
            self.0.gateway_id,
            self.0.dealers().len()
        )
    }
}

/// Register the classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDealerAccount>()?;
    m.add_class::<PyGatewayMaintenance>()?;
    Ok(())
}
