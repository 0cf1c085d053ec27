"""The halls as content: ``data/<district>/hall.yaml`` (queues, dispatch settings, counters),
checked with the file and line of every error, then loaded in one transaction."""

import re
from pathlib import Path

from django.db import transaction

from tongban.catalogue.models import CounterKind, Matter, ServiceCentre
from tongban.catalogue.queries import public_version
from tongban.core.yamlfile import ContentError, ContentErrors, Mapping, Reader, read

from .models import Counter, Hall, MatterGroup

NUMBERS = re.compile(r"^(\d+)(?:-(\d+))?$")
HALL_SETTINGS = {
    "age_cap_minutes", "appointments_first", "early_check_in_minutes", "priorities",
    "fast_track_minutes", "fast_track_helps", "recall_limit", "near_turn_ahead",
    "remote_per_day",
}  # fmt: skip


class HallReader(Reader):
    def groups(self, nodes: object) -> list[dict]:
        if not isinstance(nodes, list):
            self.error(None, "groups", "must be a list")
            return []
        seen: dict[str, int] = {}
        prefixes: set[str] = set()
        found = []
        for node in nodes:
            if not self.record(node, "group", {"code", "prefix", "name"},
                               {"counter_kind", "functions"}):  # fmt: skip
                continue
            code = self.code(node, "code", seen)
            prefix = self.text(node, "prefix", max_length=2)
            if not prefix.isalpha() or not prefix.isupper() or prefix in prefixes:
                self.error(node, "prefix", "one or two capital letters, unique")
            prefixes.add(prefix)
            kind = self.text(node, "counter_kind", max_length=20)
            if kind and kind not in CounterKind.values:
                self.error(node, "counter_kind", f"not a counter kind: {kind!r}")
            functions = node.get("functions", [])
            if not isinstance(functions, list) or not all(isinstance(f, str) for f in functions):
                self.error(node, "functions", "must be a list of department functions")
                functions = []
            name_en, name_zh = self.bilingual(node, "name", required=True, max_length=120)
            found.append({"code": code, "prefix": prefix, "counter_kind": kind,
                          "functions": functions, "name_en": name_en, "name_zh": name_zh,
                          "line": node.line})  # fmt: skip
        return found

    def hall(self, node: object, groups: set[str]) -> dict | None:
        if not self.record(node, "hall", {"centre", "counters"},
                           HALL_SETTINGS | {"priority_groups"}):  # fmt: skip
            return None
        assert isinstance(node, Mapping)
        centre = ServiceCentre.objects.filter(code=self.text(node, "centre")).first()
        if centre is None:
            self.error(node, "centre", "no such service centre")
        settings = {key: node[key] for key in HALL_SETTINGS if key in node}
        for key, value in settings.items():
            boolean = Hall._meta.get_field(key).get_internal_type() == "BooleanField"
            if isinstance(value, bool) != boolean or not isinstance(value, int) or value < 0:
                self.error(node, key, "a yes/no" if boolean else "a whole number")
        priority = node.get("priority_groups", [])
        if not isinstance(priority, list) or not all(
            isinstance(p, Mapping) and {"code", "en", "zh"} <= set(p) for p in priority
        ):
            self.error(node, "priority_groups", "a list of {code, en, zh}")
            priority = []
        counters = [c for c in node.get("counters") or [] if self._counter(c, groups)]
        numbers = [n for counter in counters for n in counter["numbers"]]
        if len(numbers) != len(set(numbers)):
            self.error(node, "counters", "a counter number is given twice")
        return {"centre": centre, "settings": settings, "counters": counters,
                "priority_groups": [dict(p) for p in priority]}  # fmt: skip

    def _counter(self, node: object, groups: set[str]) -> bool:
        if not self.record(node, "counter", {"numbers", "kind", "skills", "label"}, set()):
            return False
        assert isinstance(node, Mapping)
        match = NUMBERS.match(str(node["numbers"]))
        if not match:
            self.error(node, "numbers", "a number or a range like 1-15")
            return False
        first, last = int(match[1]), int(match[2] or match[1])
        node["numbers"] = range(first, last + 1)
        if node["kind"] not in Counter.Kind.values:
            self.error(node, "kind", f"not a counter kind: {node['kind']!r}")
        for skill in node["skills"] or []:
            if skill not in groups:
                self.error(node, "skills", f"no such group: {skill!r}")
        node["label"] = self.bilingual(node, "label", required=True, max_length=120)
        return True


def check_coverage(groups: list[dict], reader: HallReader) -> None:
    """Every published matter of a counter kind with queues falls in exactly one queue."""
    version = public_version()
    if version is None:
        return
    kinds = {group["counter_kind"] for group in groups if group["counter_kind"]}
    matters = Matter.objects.filter(version=version, counter__in=kinds).select_related("department")
    for matter in matters:
        covering = [
            group["code"]
            for group in groups
            if group["counter_kind"] == matter.counter
            and (not group["functions"] or matter.department.function in group["functions"])
        ]
        if len(covering) != 1:
            where = ", ".join(covering) or "no group"
            message = f"matter {matter.code} falls in {where}"
            reader.errors.append(ContentError(reader.file, 0, "groups", message))


def load_halls(path: Path) -> dict[str, int]:
    """Load one hall file; raise ContentErrors having loaded nothing."""
    reader = HallReader(str(path))
    data = read(path)
    if not isinstance(data, Mapping):
        raise ContentErrors([ContentError(str(path), 0, "", "must be a mapping")])
    groups = reader.groups(data.get("groups"))
    check_coverage(groups, reader)
    codes = {group["code"] for group in groups}
    halls = [h for node in data.get("halls") or [] if (h := reader.hall(node, codes))]
    if reader.errors:
        raise ContentErrors(reader.errors)
    with transaction.atomic():
        for group in groups:
            group = dict(group)
            position = group.pop("line")
            MatterGroup.objects.update_or_create(
                code=group.pop("code"), defaults={**group, "position": position}
            )
        by_code = {group.code: group for group in MatterGroup.objects.all()}
        counters = sum(_load_hall(hall, by_code) for hall in halls)
    return {"queues": len(groups), "halls": len(halls), "counters": counters}


def _load_hall(data: dict, groups: dict[str, MatterGroup]) -> int:
    hall, _ = Hall.objects.update_or_create(
        centre=data["centre"],
        defaults={**data["settings"], "priority_groups": data["priority_groups"]},
    )
    count = 0
    for node in data["counters"]:
        for number in node["numbers"]:
            counter, _ = Counter.objects.update_or_create(
                hall=hall,
                number=number,
                defaults={
                    "kind": node["kind"],
                    "label_en": node["label"][0],
                    "label_zh": node["label"][1],
                },  # fmt: skip
            )
            counter.skills.set([groups[code] for code in node["skills"]])
            count += 1
    return count
