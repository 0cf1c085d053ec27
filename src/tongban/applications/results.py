"""What an issued document is called: the matter's result, or the refusal letter of its type.

Pure Python: the issue, the PDF, the pages and the verify check read the same names.
"""

# A refusal letter is titled for the matter's type (GB/T 39046 types). A licence's is the
# 不予行政许可决定书 of the Administrative Licensing Law (art. 38); the others are
# tongban's wording, not yet confirmed against the departments' forms (docs/case-rules.md).
REFUSAL_TITLES: dict[str, dict[str, str]] = {
    "licence": {"zh": "不予行政许可决定书", "en": "Decision not to grant the licence"},
    "confirmation": {"zh": "不予确认决定书", "en": "Decision not to confirm"},
    "payment": {"zh": "不予给付决定书", "en": "Decision not to grant the payment"},
    "award": {"zh": "不予奖励决定书", "en": "Decision not to award"},
    "filing": {"zh": "不予备案通知书", "en": "Notice of refusal to file"},
}
OTHER_REFUSAL = {"zh": "不予办理告知书", "en": "Notice of refusal"}


def refusal_title(matter_type: str) -> dict[str, str]:
    """The title of the letter refusing a matter of this type, in both languages."""
    return REFUSAL_TITLES.get(matter_type, OTHER_REFUSAL)


def document_title(kind: str, matter) -> dict[str, str]:
    """What an issued document is titled: a certificate its matter's result (or the matter,
    for documents issued before results were required), a refusal letter by the type."""
    if kind == "refusal":
        return refusal_title(matter.type)
    return {"zh": matter.result_name_zh or matter.name_zh,
            "en": matter.result_name_en or matter.name_en}  # fmt: skip


def issues_certificate(matter) -> bool:
    """Whether approving the matter issues a document: only if the catalogue names a result."""
    return bool(matter.result_name_zh)
