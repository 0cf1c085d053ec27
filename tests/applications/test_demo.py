"""The demo has a case at each stage, and the periodic command moves parcels and reminds."""

import pytest
from django.core.management import call_command

from tongban.applications.demo import create_demo_cases

pytestmark = pytest.mark.django_db


def test_demo_cases_cover_the_chain_and_are_made_once(demo_catalogue, capsys):
    cases = create_demo_cases()
    assert [c.state for c in cases] == ["draft", "submitted", "in_review", "issued"]
    reviewing = cases[2]
    states = {t.department.code: t.state for t in reviewing.matters.select_related("department")}
    assert states["jingan-fire-rescue"] == "supplement"
    assert states["jingan-greening"] == "approved"  # instant: decided on acceptance
    assert create_demo_cases() == []
    call_command("applications", "tick")
    assert "parcels moved 0" in capsys.readouterr().out  # the issued case is for pickup
