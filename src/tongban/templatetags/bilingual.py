from django import template

from tongban.core.bilingual import prefers_chinese

register = template.Library()


@register.filter
def lang(text) -> str:
    """A {"en": ..., "zh": ...} text in the active language."""
    if not text:
        return ""
    if isinstance(text, str):
        return text
    return (text.get("zh") if prefers_chinese() else text.get("en")) or text.get("en", "")
