//! Maintenance links (docs/pairing.md §2).
#![allow(missing_docs)]

use regcore::Coded;
use regcore::ids::{DealerId, EmailAddress, GatewayId, PhoneNumber};
use regcore::maintenance::{Change, DealerAccount, GatewayMaintenance, MaintenanceError};

fn dealer(id: &str, phone: &str) -> DealerAccount {
    DealerAccount::new(
        DealerId::parse(id).expect("a valid dealer ID"),
        PhoneNumber::parse(phone).expect("a valid phone number"),
    )
}

#[test]
fn link_checks_phone_after_normalisation_and_is_idempotent() {
    let d = dealer("4001", "090-9999-9999");
    let mut gw = GatewayMaintenance::new(GatewayId::parse("GW00009005PV").unwrap());
    let id = DealerId::parse("4001").unwrap();
    let typed = PhoneNumber::parse("０９０ ９９９９ ９９９９").unwrap();
    assert_eq!(gw.link(&id, &typed, Some(&d)), Ok(Change::Added));
    assert_eq!(gw.link(&id, &typed, Some(&d)), Ok(Change::AlreadyPresent));
    assert_eq!(gw.dealers(), std::slice::from_ref(&id));
    let wrong = PhoneNumber::parse("090-9999-9998").unwrap();
    let e = gw.link(&id, &wrong, Some(&d)).unwrap_err();
    assert_eq!(e, MaintenanceError::DealerNotFound);
    // Unknown dealer gives the same code: the form cannot probe dealer IDs.
    assert_eq!(
        gw.link(&DealerId::parse("nobody").unwrap(), &typed, None)
            .unwrap_err()
            .code(),
        e.code()
    );
    // A looked-up account for another ID never links.
    assert!(
        gw.link(&DealerId::parse("4002").unwrap(), &typed, Some(&d))
            .is_err()
    );
    // Dealer IDs are case-sensitive.
    let upper = dealer("Shop_A", "0312345678");
    assert!(
        gw.link(
            &DealerId::parse("shop_a").unwrap(),
            &upper.phone,
            Some(&upper)
        )
        .is_err()
    );
}

#[test]
fn at_most_five_dealers_and_unlink() {
    let mut gw = GatewayMaintenance::new(GatewayId::parse("01AB12345678").unwrap());
    let ds: Vec<_> = (0..6)
        .map(|i| dealer(&format!("dealer{i}"), &format!("0312345{i:03}")))
        .collect();
    for d in &ds[..5] {
        assert_eq!(gw.link(&d.dealer_id, &d.phone, Some(d)), Ok(Change::Added));
    }
    let e = gw
        .link(&ds[5].dealer_id, &ds[5].phone, Some(&ds[5]))
        .unwrap_err();
    assert_eq!(e, MaintenanceError::TooManyDealers { max: 5 });
    assert_eq!(e.params(), vec![("max", "5".to_owned())]);
    assert!(e.message_ja().contains('5'));
    // Re-linking an existing dealer at the limit is still idempotent.
    assert_eq!(
        gw.link(&ds[0].dealer_id, &ds[0].phone, Some(&ds[0])),
        Ok(Change::AlreadyPresent)
    );
    gw.unlink(&ds[0].dealer_id).unwrap();
    assert_eq!(
        gw.unlink(&ds[0].dealer_id).unwrap_err().code(),
        "maintenance.not_linked"
    );
    assert_eq!(
        gw.link(&ds[5].dealer_id, &ds[5].phone, Some(&ds[5])),
        Ok(Change::Added)
    );
    assert_eq!(gw.dealers().len(), 5);
}

#[test]
fn at_most_five_maintenance_emails() {
    let mut d = dealer("4001", "0699999999");
    for i in 0..5 {
        let e = EmailAddress::parse(&format!("tech{i}@Example.JP")).unwrap();
        assert_eq!(d.add_email(e), Ok(Change::Added));
    }
    // Same address with the domain in another case: already present.
    assert_eq!(
        d.add_email(EmailAddress::parse("tech0@example.jp").unwrap()),
        Ok(Change::AlreadyPresent)
    );
    let e = d
        .add_email(EmailAddress::parse("tech5@example.jp").unwrap())
        .unwrap_err();
    assert_eq!(e.code(), "maintenance.too_many_emails");
    d.remove_email(&EmailAddress::parse("tech1@EXAMPLE.jp").unwrap())
        .unwrap();
    assert_eq!(d.emails().len(), 4);
    assert_eq!(
        d.remove_email(&EmailAddress::parse("tech1@example.jp").unwrap())
            .unwrap_err(),
        MaintenanceError::EmailNotFound
    );
    assert!(
        d.add_email(EmailAddress::parse("tech5@example.jp").unwrap())
            .is_ok()
    );
}
