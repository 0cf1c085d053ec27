"""Conditions over a person's answers: declarative data compiled once into functions.

A condition is written in YAML as one of
  {q: ID, is: VALUE}        the answer equals VALUE (an option, true/false)
  {q: ID, in: [V, ...]}     a single-choice answer is one of these
  {q: ID, has: V}           a multiple-choice answer includes V
  {q: ID, any_of: [V, ...]} a multiple-choice answer includes one of these
  {q: ID, gte: N}, {q: ID, gt: N}, {q: ID, lte: N}, {q: ID, lt: N}   number thresholds
  {all: [C, ...]}, {any: [C, ...]}, {not: C}, true
An unanswered (or hidden) question makes a test false, so {not: ...} of it is true.
No Django here: the engine, the checks and the benchmarks share this module.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Answers = Mapping[str, Any]
Test = Callable[[Answers], bool]

COMPARISONS = {
    "gte": lambda a, n: a >= n,
    "gt": lambda a, n: a > n,
    "lte": lambda a, n: a <= n,
    "lt": lambda a, n: a < n,
}
TESTS = ("is", "in", "has", "any_of", *COMPARISONS)


class ConditionError(ValueError):
    """A condition that does not follow the grammar; ``path`` says where inside it."""

    def __init__(self, message: str, path: str = ""):
        super().__init__(f"{path}: {message}" if path else message)


@dataclass(eq=False)
class Compiled:
    """A condition as a function, with what it reads (for static checks and 'why')."""

    test: Test
    questions: set[str] = field(default_factory=set)
    values: dict[str, set[Any]] = field(default_factory=dict)  # option values it names
    thresholds: dict[str, set[float]] = field(default_factory=dict)

    def __call__(self, answers: Answers) -> bool:
        return self.test(answers)


ALWAYS = Compiled(lambda answers: True)


def compile_condition(node: Any, path: str = "when") -> Compiled:
    if node is True or node is None:
        return ALWAYS
    if not isinstance(node, Mapping):
        raise ConditionError("a condition is a mapping, or true", path)
    if "q" in node:
        return _compile_test(node, path)
    if len(node) != 1:
        raise ConditionError("give one of all, any, not or q", path)
    ((op, value),) = node.items()
    if op == "not":
        inner = compile_condition(value, f"{path}.not")
        return Compiled(lambda a: not inner.test(a), inner.questions, inner.values,
                        inner.thresholds)  # fmt: skip
    if op in ("all", "any"):
        if not isinstance(value, list) or not value:
            raise ConditionError(f"{op} takes a non-empty list", path)
        parts = [compile_condition(v, f"{path}.{op}[{i}]") for i, v in enumerate(value)]
        tests = tuple(p.test for p in parts)
        combine = all if op == "all" else any
        merged = Compiled(lambda a: combine(t(a) for t in tests))
        for part in parts:
            _merge(merged, part)
        return merged
    raise ConditionError(f"unknown operator {op!r}", path)


def _merge(into: Compiled, part: Compiled) -> None:
    into.questions |= part.questions
    for key, values in part.values.items():
        into.values.setdefault(key, set()).update(values)
    for key, numbers in part.thresholds.items():
        into.thresholds.setdefault(key, set()).update(numbers)


def _compile_test(node: Mapping, path: str) -> Compiled:
    question = node["q"]
    if not isinstance(question, str):
        raise ConditionError("q names a question id", path)
    tests = [key for key in node if key != "q"]
    if len(tests) != 1 or tests[0] not in TESTS:
        raise ConditionError(f"give exactly one test of {', '.join(TESTS)}", path)
    op, value = tests[0], node[tests[0]]
    compiled = Compiled(_test(question, op, value, path), {question})
    if op in COMPARISONS:
        compiled.thresholds[question] = {value}
    elif op in ("in", "any_of"):
        compiled.values[question] = set(value)
    elif not isinstance(value, bool):
        compiled.values[question] = {value}
    return compiled


def _test(question: str, op: str, value: Any, path: str) -> Test:
    if op == "is":
        return lambda a: question in a and a[question] == value
    if op in ("in", "any_of"):
        if not isinstance(value, list) or not value:
            raise ConditionError(f"{op} takes a non-empty list", path)
        wanted = frozenset(value)
        if op == "in":
            return lambda a: a.get(question) in wanted
        return lambda a: not wanted.isdisjoint(a.get(question) or ())
    if op == "has":
        return lambda a: value in (a.get(question) or ())
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConditionError(f"{op} compares with a number", path)
    compare = COMPARISONS[op]
    return lambda a: isinstance(a.get(question), int | float) and compare(a[question], value)
