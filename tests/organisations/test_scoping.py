import pytest

from organisations.models import Organisation, User
from organisations.scoping import (
    ScopeError,
    all_organisations,
    no_organisation,
    organisation_scope,
)
from tests.factories import CoordinatorFactory, OrganisationFactory


@pytest.mark.django_db
def test_query_outside_any_scope_raises_instead_of_leaking():
    OrganisationFactory()
    with no_organisation(), pytest.raises(ScopeError):
        list(Organisation.objects.all())


@pytest.mark.django_db
def test_scope_shows_only_its_own_organisation():
    mine, theirs = OrganisationFactory(), OrganisationFactory()
    CoordinatorFactory(organisation=mine, username="mine")
    CoordinatorFactory(organisation=theirs, username="theirs")
    with organisation_scope(mine):
        assert list(Organisation.objects.all()) == [mine]
        assert [u.username for u in User.scoped.all()] == ["mine"]
        assert not Organisation.objects.filter(pk=theirs.pk).exists()


@pytest.mark.django_db
def test_inner_scope_does_not_inherit_a_wider_outer_one():
    mine, theirs = OrganisationFactory(), OrganisationFactory()
    with all_organisations():
        assert Organisation.objects.count() == 2
        with organisation_scope(mine):
            assert Organisation.objects.count() == 1
        with no_organisation(), pytest.raises(ScopeError):
            Organisation.objects.count()
    assert theirs.pk != mine.pk


@pytest.mark.django_db
def test_user_without_organisation_sees_nothing():
    OrganisationFactory()
    with organisation_scope(None):
        assert Organisation.objects.count() == 0
