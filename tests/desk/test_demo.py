import pytest
from django.apps import apps
from django.core.management import call_command


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
