"""A small district folder for loader tests: Jing'an's organisations and vocabularies
with a matters file of the test's own."""

import shutil
from pathlib import Path

from django.conf import settings

JINGAN = Path(settings.PROJECT_DIR) / "data" / "jingan"

MATTER = """\
- code: test-food-licence
  basic_code: "0117901"
  name: {en: Test food licence, zh: 测试食品经营许可}
  description: {en: A licence to sell food., zh: 销售食品的许可。}
  type: licence
  department: jingan-market
  legal_basis:
    - {en: "Food Safety Law, Art. 35", zh: 《食品安全法》第三十五条}
  conditions:
    - {en: Suitable premises, zh: 有适当的经营场所}
  steps:
    - {en: Apply, zh: 申请}
    - {en: Decision, zh: 决定}
  statutory_days: 10
  promised_days: 5
  kind: promised
  audience: [enterprise]
  channels: [counter, online]
  counter: market
  result: {name: {en: Food business licence, zh: 食品经营许可证}, validity_months: 60}
  themes: [food-drug]
  materials:
    - {name: {en: Application form, zh: 申请书}}
    - {evidence: business-licence, copies: 1}
    - {evidence: floor-plan, principal: false}
- code: test-family-allowance
  basic_code: "2015901"
  name: {en: Test family allowance, zh: 测试计划生育奖励}
  description: {en: A one-off reward., zh: 一次性奖励。}
  type: community_affair
  department: jingan-health
  legal_basis:
    - {en: "Population and Family Planning Regulations, Art. 39", zh: 《条例》第三十九条}
  conditions:
    - {en: Holds the certificate, zh: 持有光荣证}
  steps:
    - {en: Apply at any centre, zh: 任一中心申请}
  promised_days: 0
  kind: instant
  on_the_spot: true
  city_wide: true
  audience: [person]
  channels: [counter]
  counter: community
  events: [retiring]
  materials:
    - {evidence: resident-id, copies: 0}
"""


def sample_folder(tmp_path: Path, matters: str = MATTER, name: str = "jingan") -> Path:
    folder = tmp_path / name
    shutil.copytree(JINGAN, folder, ignore=shutil.ignore_patterns("matters"))
    (folder / "matters").mkdir()
    (folder / "matters" / "test.yaml").write_text(matters, encoding="utf-8")
    return folder
