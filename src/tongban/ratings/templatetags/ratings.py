from django import template

from tongban.ratings import grades

register = template.Library()


@register.simple_tag
def rating_grades() -> tuple[grades.Choice, ...]:
    return grades.GRADES


@register.simple_tag
def rating_reasons() -> tuple[grades.Choice, ...]:
    return grades.REASONS


@register.filter
def grade_label(code: str) -> str:
    try:
        return grades.grade(code).label
    except KeyError:
        return code
