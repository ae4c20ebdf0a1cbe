"""Boundary tests of maintenance links."""

from __future__ import annotations

import pytest

from regcore import (
    DealerAccount,
    DealerId,
    EmailAddress,
    GatewayId,
    GatewayMaintenance,
    RefusedError,
    PhoneNumber,
)


def test_dealer_emails() -> None:
    account = DealerAccount("Shop_A-1", "090-1234-5678")
    assert account.dealer_id == DealerId("Shop_A-1") and account.phone == PhoneNumber("09012345678")
    assert account.add_email("a@example.jp") == "added"
    assert account.add_email(EmailAddress("a@EXAMPLE.jp")) == "already_present"
    for i in range(4):
        account.add_email(f"m{i}@example.jp")
    with pytest.raises(RefusedError) as info:
        account.add_email("six@example.jp")
    assert info.value.code == "maintenance.too_many_emails" and info.value.params == {"max": "5"}
    account.remove_email("A@example.JP".lower())
    assert EmailAddress("a@example.jp") not in account.emails and len(account.emails) == 4
    with pytest.raises(RefusedError) as missing:
        account.remove_email("nobody@example.jp")
    assert missing.value.code == "maintenance.email_not_found"
    assert DealerAccount.from_json(account.to_json()) == account


def test_gateway_links() -> None:
    gw = GatewayMaintenance("01AB-1234-5678")
    assert gw.gateway_id == GatewayId("01AB12345678") and gw.dealers == []
    account = DealerAccount("Shop_A-1", "09012345678")
    assert gw.link("Shop_A-1", "０９０－１２３４－５６７８", account) == "added"
    assert gw.link("Shop_A-1", "09012345678", account) == "already_present"
    with pytest.raises(RefusedError) as wrong_phone:
        gw.link("Shop_A-1", "09000000000", account)
    assert wrong_phone.value.code == "maintenance.dealer_not_found"
    with pytest.raises(RefusedError):
        gw.link("Nobody", "09012345678", None)
    for i in range(4):
        gw.link(f"Shop{i}", "0312345678", DealerAccount(f"Shop{i}", "0312345678"))
    with pytest.raises(RefusedError) as full:
        gw.link("Shop9", "0312345678", DealerAccount("Shop9", "0312345678"))
    assert full.value.code == "maintenance.too_many_dealers"
    gw.unlink("Shop0")
    assert DealerId("Shop0") not in gw.dealers and len(gw.dealers) == 4
    with pytest.raises(RefusedError) as not_linked:
        gw.unlink("Shop0")
    assert not_linked.value.code == "maintenance.not_linked"
    assert not_linked.value.params == {"dealer_id": "Shop0"}
    assert GatewayMaintenance.from_json(gw.to_json()) == gw
