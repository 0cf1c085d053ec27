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


def pair(obj: object, field: str) -> dict[str, str] | None:
    """``{"en": obj.<field>_en, "zh": obj.<field>_zh}``, or None when both are empty."""
    en, zh = getattr(obj, f"{field}_en"), getattr(obj, f"{field}_zh")
    return {"en": en, "zh": zh} if (en or zh) else None


class InLanguage:
    """A model attribute reading the ``<name>_en`` / ``<name>_zh`` pair in the active language."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.field = name

    def __get__(self, obj: object, owner: type | None = None):
        return self if obj is None else localized(obj, self.field)


class Named:
    """A record shown by its name in the active language."""

    name = InLanguage()

    def __str__(self) -> str:
        return self.name
