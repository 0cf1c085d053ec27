"""What an applicant's own account says about them, for filling in applications and forms."""


def applicant_profile(user) -> dict[str, str]:
    """The signed-in applicant's details that are filled in, only those given; empty for
    staff and visitors."""
    if not getattr(user, "is_authenticated", False) or user.kind == "staff":
        return {}
    found = {
        "enterprise_name": user.enterprise_name,
        "credit_code": user.credit_code or "",
        "full_name": user.full_name,
        "id_number": user.id_number or "",
        "phone": user.phone,
    }
    return {key: value for key, value in found.items() if value}
