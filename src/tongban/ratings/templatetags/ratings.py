from django import template

from tongban.ratings import grades, states

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


@register.filter
def follow_up_state(state: str) -> str:
    return str(states.LABELS.get(state, state))
