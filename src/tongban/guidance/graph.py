"""An activity's funnel as a graph for editors: scenarios, questions, branches, matters.

Questions point to the questions they reveal (``shown_if``) and to the matters whose
rules read them, labelled with the values the rules test. Mermaid for pages and
Markdown, Graphviz DOT for `dot -Tsvg`.
"""

import shutil
import subprocess

from .engine import Activity


def _edges(activity: Activity, lang: str) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str, str]] = []
    for scenario in activity.scenarios:
        nodes[f"s_{scenario.code}"] = scenario.name[lang]
        preset = ", ".join(f"{k}={v}" for k, v in scenario.preset.items())
        edges.append((f"a_{activity.code}", f"s_{scenario.code}", preset))
    nodes[f"a_{activity.code}"] = activity.name[lang]
    for question in activity.questions:
        nodes[f"q_{question.id}"] = question.text[lang]
        for source in sorted(question.shown.questions):
            values = ", ".join(sorted(map(str, question.shown.values.get(source, ()))))
            edges.append((f"q_{source}", f"q_{question.id}", values))
    for rule in activity.rules:
        target = f"m_{rule.matter}"
        nodes[target] = rule.matter
        for source in rule.reads:
            tested = rule.when.values.get(source) or rule.when.thresholds.get(source) or ()
            edges.append((f"q_{source}", target, ", ".join(sorted(map(str, tested)))))
        if not rule.reads:
            edges.append((f"a_{activity.code}", target, ""))
    return nodes, edges


def _id(node: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in node)


def mermaid(activity: Activity, lang: str = "en") -> str:
    nodes, edges = _edges(activity, lang)
    lines = ["flowchart LR"]
    for node, label in nodes.items():
        shape = ("([", "])") if node.startswith("m_") else ("[", "]")
        lines.append(f'  {_id(node)}{shape[0]}"{label.replace(chr(34), "")}"{shape[1]}')
    for source, target, label in edges:
        arrow = f'-- "{label}" -->' if label else "-->"
        lines.append(f"  {_id(source)} {arrow} {_id(target)}")
    return "\n".join(lines) + "\n"


def dot(activity: Activity, lang: str = "en") -> str:
    nodes, edges = _edges(activity, lang)
    lines = [
        f'digraph "{activity.code}" {{',
        '  rankdir=LR; node [fontname="WenQuanYi Micro Hei"];',
    ]
    for node, label in nodes.items():
        shape = "box" if node.startswith("q_") else "ellipse" if node.startswith("m_") else "folder"
        lines.append(f'  {_id(node)} [label="{label.replace(chr(34), "")}", shape={shape}];')
    for source, target, label in edges:
        lines.append(f'  {_id(source)} -> {_id(target)} [label="{label}"];')
    return "\n".join(lines) + "\n}\n"


def svg(activity: Activity, lang: str = "en") -> str | None:
    """The graph drawn by Graphviz, or None when Graphviz is not installed."""
    program = shutil.which("dot")
    if program is None:
        return None
    drawn = subprocess.run(  # noqa: S603 - our own DOT text into Graphviz
        [program, "-Tsvg"], input=dot(activity, lang), capture_output=True, text=True, check=True
    )
    return drawn.stdout[drawn.stdout.find("<svg") :]
