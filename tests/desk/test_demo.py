import pytest
from django.apps import apps
from django.core.management import call_command

from duos.models import Agreement
from matching.intake.models import Participant
from matching.proposals import selectors
from matching.proposals.models import Proposal
from organisations.models import Organisation
from organisations.scoping import all_organisations, organisation_scope


def _row_counts():
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"organisations", "matching", "duos", "coaching",
                                     "notifications"}
    }


@pytest.mark.django_db
def test_seed_demo_is_idempotent(client):
    call_command("seed_demo", stdout=None)
    first = _row_counts()
    call_command("seed_demo")
    assert _row_counts() == first
    assert first["organisations.Organisation"] >= 1
    assert client.login(username="coordinator", password="buddy-demo-2026")
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_the_demo_shows_matching_working(client):
    """Waiting participants whose short lists are not empty, a proposal waiting for an
    answer, and no English in the Dutch demo's agreement."""
    call_command("seed_demo", stdout=None)
    with all_organisations():
        organisation = Organisation.objects.get(slug="samen-op-weg-gent")
    with organisation_scope(organisation):
        waiting = list(Participant.objects.filter(status="waiting"))
        with_list = [p for p in waiting if selectors.shortlist_for_participant(p)]
        assert len(with_list) >= len(waiting) // 3
        assert Proposal.objects.filter(status="open").exists()
        assert not Agreement.objects.filter(expenses_reimbursed__icontains="tickets ").exclude(
            expenses_reimbursed__icontains="inkom").exists()
    assert client.login(username="coordinator", password="buddy-demo-2026")
    page = client.get(f"/participants/{with_list[0].pk}/").content.decode()
    assert f"/participants/{with_list[0].pk}/propose/" in page  # one button to propose
