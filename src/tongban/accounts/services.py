"""Staff roles are given here, where the binding each role needs is enforced."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tongban.catalogue.models import Department, ServiceCentre

from .models import User
from .roles import ROLES


def check_bindings(
    role_keys: list[str], centre: ServiceCentre | None, department: Department | None
) -> None:
    errors = {}
    for key in role_keys:
        role = ROLES[key]
        if role.binding == "centre" and centre is None:
            errors["centre"] = _("A %(role)s works at a service centre: choose one.") % {
                "role": role.label
            }
        if role.binding == "department" and department is None:
            errors["department"] = _("A %(role)s reviews for a department: choose one.") % {
                "role": role.label
            }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def make_staff(
    user: User,
    role_keys: list[str],
    *,
    centre: ServiceCentre | None = None,
    department: Department | None = None,
) -> User:
    """Turn ``user`` into staff with exactly these roles and bindings."""
    unknown = set(role_keys) - set(ROLES)
    if unknown:
        raise ValidationError(_("Unknown role: %(roles)s") % {"roles": ", ".join(sorted(unknown))})
    check_bindings(role_keys, centre, department)
    user.kind = User.Kind.STAFF
    user.centre, user.department = centre, department
    user.is_staff = any(ROLES[key].admin_site for key in role_keys)
    user.is_superuser = "admin" in role_keys
    user.save()
    user.groups.set(Group.objects.filter(name__in=[ROLES[key].group for key in role_keys]))
    return user
