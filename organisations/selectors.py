from .models import Organisation, User


def organisation_list():
    return Organisation.objects.all()


def user_list():
    return User.scoped.select_related("organisation").order_by("username")
