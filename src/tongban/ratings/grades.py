"""The national good/bad rating (好差评, 国办发〔2019〕51号): five grades, the last two bad,
and the fixed list of reasons a rater may tick. Pure Python: pages, API, stats and the
demo read the same lists."""

from dataclasses import dataclass

from tongban.core.bilingual import prefers_chinese


@dataclass(frozen=True)
class Choice:
    code: str
    en: str
    zh: str

    @property
    def label(self) -> str:
        return self.zh if prefers_chinese() else self.en


# Best first, as raters see them.
GRADES = (
    Choice("very_satisfied", "Very satisfied", "非常满意"),
    Choice("satisfied", "Satisfied", "满意"),
    Choice("basically_satisfied", "Basically satisfied", "基本满意"),
    Choice("dissatisfied", "Dissatisfied", "不满意"),
    Choice("very_dissatisfied", "Very dissatisfied", "非常不满意"),
)
CODES = tuple(grade.code for grade in GRADES)
BAD = frozenset({"dissatisfied", "very_dissatisfied"})

REASONS = (
    Choice("guidance", "Guidance was clear", "办事指引清楚"),
    Choice("procedure", "Procedure was convenient", "办理流程便捷"),
    Choice("materials", "Materials were lean", "申请材料精简"),
    Choice("attitude", "Staff attitude", "工作人员态度"),
    Choice("waiting", "Waiting time", "等候时间"),
    Choice("interface", "Friendly interface or place", "界面或场所友好"),
    Choice("time_limit", "Time to a result", "办结时限"),
)
REASON_CODES = tuple(reason.code for reason in REASONS)


def grade(code: str) -> Choice:
    """The grade of this code (KeyError for an unknown one)."""
    return {g.code: g for g in GRADES}[code]


def is_bad(code: str) -> bool:
    return code in BAD


def from_stars(stars: int) -> str:
    """The grade replacing the former online 1–5 stars: 5 is very satisfied, 1 very
    dissatisfied (used by the data migration)."""
    if not 1 <= stars <= 5:
        raise ValueError(f"stars out of range: {stars}")
    return CODES[5 - stars]
