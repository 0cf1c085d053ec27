"""Content kept in English and Simplified Chinese, shown in the active language."""

from django.utils.translation import get_language


def prefers_chinese() -> bool:
    return (get_language() or "en").lower().startswith("zh")


def localized(obj: object, field: str) -> str:
    """``obj.<field>_zh`` when Chinese is active and filled in, else ``obj.<field>_en``."""
    english = getattr(obj, f"{field}_en", "") or ""
    if prefers_chinese():
        return getattr(obj, f"{field}_zh", "") or english
    return english or getattr(obj, f"{field}_zh", "") or ""
