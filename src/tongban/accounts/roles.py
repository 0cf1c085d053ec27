"""Staff roles as groups with permissions, and what each role is bound to.

The groups are (re)built after every migrate, so a new permission reaches its
roles without a hand-made data migration.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    key: str
    group: str
    label: str
    binding: str | None  # "centre", "department" or None
    permissions: tuple[str, ...]
    admin_site: bool = False


ROLES: dict[str, Role] = {
    role.key: role
    for role in (
        Role(
            "clerk",
            "Counter clerk",
            _("Counter clerk"),
            "centre",
            ("accounts.work_at_counter", "accounts.look_up_applicant"),
        ),
        Role(
            "reviewer",
            "Department reviewer",
            _("Department reviewer"),
            "department",
            ("accounts.review_matters",),
        ),
        Role(
            "manager",
            "Centre manager",
            _("Centre manager"),
            "centre",
            ("accounts.manage_centre", "accounts.look_up_applicant", "audit.view_auditentry"),
        ),
        Role(
            "editor",
            "Catalogue editor",
            _("Catalogue editor"),
            None,
            (
                "audit.view_auditentry",
                *(
                    f"catalogue.{action}_{model}"
                    for model in ("region", "servicecentre", "department")
                    for action in ("view", "add", "change")
                ),
                *(
                    f"catalogue.{action}_{model}"
                    for model in ("matter", "material", "fee", "evidencetype", "theme", "event")
                    for action in ("view", "add", "change", "delete")
                ),
                "catalogue.view_catalogueversion",
            ),
            admin_site=True,
        ),
        Role(
            "admin",
            "Administrator",
            _("Administrator"),
            None,
            ("accounts.manage_staff", "audit.view_auditentry", "accounts.look_up_applicant"),
            admin_site=True,
        ),
    )
}


def sync_groups(**kwargs) -> None:
    """Create each role's group with exactly its permissions."""
    from django.contrib.auth.models import Group, Permission

    for role in ROLES.values():
        group, _created = Group.objects.get_or_create(name=role.group)
        perms = []
        for dotted in role.permissions:
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)
