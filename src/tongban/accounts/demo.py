"""The demo accounts: one per role, plus applicants. All share one demo password."""

from dataclasses import dataclass

from django.db import transaction

from tongban.catalogue.models import Department, Region, ServiceCentre

from .models import User
from .services import make_staff

DEMO_PASSWORD = "tongban-demo-2026"  # noqa: S105 - published for the demo only


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str  # a role key, or "person" / "enterprise"
    full_name: str
    centre: str = ""
    department: str = ""
    id_number: str = ""
    enterprise_name: str = ""
    credit_code: str = ""
    registered_in: str = ""  # the code of the household registration district


DEMO_ACCOUNTS = (
    DemoAccount("admin", "admin", "Admin Zhao"),
    DemoAccount("editor", "editor", "Editor Qian"),
    DemoAccount("manager", "manager", "Manager Sun", centre="jingan-administrative-service-centre"),
    DemoAccount("clerk", "clerk", "Clerk Zhou", centre="jingan-administrative-service-centre"),
    DemoAccount("clerk.pengpu", "clerk", "Clerk Wu", centre="jingan-pengpu-xincun-community"),
    DemoAccount("clerk.pengpu2", "clerk", "Clerk Tao", centre="jingan-pengpu-xincun-community"),
    DemoAccount("manager.pengpu", "manager", "Manager Yu", centre="jingan-pengpu-xincun-community"),
    DemoAccount("reviewer.market", "reviewer", "Reviewer Zheng", department="jingan-market"),
    DemoAccount("reviewer.health", "reviewer", "Reviewer Wang", department="jingan-health"),
    DemoAccount("reviewer.fire", "reviewer", "Reviewer He", department="jingan-fire-rescue"),
    DemoAccount("reviewer.green", "reviewer", "Reviewer Lin", department="jingan-greening"),
    DemoAccount("reviewer.culture", "reviewer", "Reviewer Xu", department="jingan-culture-tourism"),
    DemoAccount("reviewer.police", "reviewer", "Reviewer Ma", department="jingan-public-security"),
    DemoAccount("reviewer.baoshan", "reviewer", "Reviewer Feng", department="baoshan-health"),
    DemoAccount(
        "li.ming", "person", "Li Ming", id_number="310106198503154216", registered_in="310106"
    ),
    DemoAccount(
        "chen.jing", "person", "Chen Jing", id_number="310113199006223020", registered_in="310113"
    ),
    DemoAccount(
        "jingan.fresh",
        "enterprise",
        "Liu Yang",
        enterprise_name="Jing'an Fresh Market Co., Ltd.",
        credit_code="91310106MA1FL0A2K8",
    ),
)


@transaction.atomic
def create_demo_accounts() -> list[tuple[DemoAccount, User]]:
    """Create the accounts that do not exist yet; leave existing ones as they are."""
    created = []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = User(
                username=account.username,
                full_name=account.full_name,
                email=f"{account.username}@demo.tongban.invalid",
            )
            user.set_password(DEMO_PASSWORD)
            if account.role in ("person", "enterprise"):
                user.kind = account.role
                user.id_number = account.id_number or None
                user.enterprise_name = account.enterprise_name
                user.credit_code = account.credit_code or None
                user.registration_district = Region.objects.filter(
                    code=account.registered_in, kind=Region.Kind.DISTRICT
                ).first()
                user.full_clean()
                user.save()
            else:
                make_staff(
                    user,
                    [account.role],
                    centre=ServiceCentre.objects.filter(code=account.centre).first(),
                    department=Department.objects.filter(code=account.department).first(),
                )
        created.append((account, user))
    return created
