def roles(request):
    """What the navigation may offer the signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_staff_member": False}
    return {"is_staff_member": user.kind == "staff"}
