import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from tongban.core.identity import clean_credit_code, clean_resident_id, mask_resident_id

GOOD_ID = "310106198503154216"
GOOD_CREDIT_CODE = "91310106MA1FL0A2K8"


def test_a_good_resident_id_passes_in_compact_form():
    assert clean_resident_id(" 310106 19850315 4216 ") == GOOD_ID


@pytest.mark.parametrize(
    ("number", "says"),
    [
        ("310106198503154217", "check digit"),
        ("31010619850315421", "18 characters"),
        ("31010619850A154216", "17 digits"),
        ("310106198502304219", "birth date or region"),  # 30 February
        ("999999198503154218", "birth date or region"),
    ],
)
def test_a_bad_resident_id_says_what_is_wrong(number, says):
    with pytest.raises(ValidationError) as error:
        clean_resident_id(number)
    assert says in error.value.messages[0]


def test_a_good_credit_code_passes():
    assert clean_credit_code(GOOD_CREDIT_CODE.lower()) == GOOD_CREDIT_CODE


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("91310106MA1FL0A2K9", "check character"),
        ("91310106MA1FL0A2K", "18 characters"),
        ("91310106MA1FL0AIK8", "digits and capital letters"),
    ],
)
def test_a_bad_credit_code_says_what_is_wrong(code, says):
    with pytest.raises(ValidationError) as error:
        clean_credit_code(code)
    assert says in error.value.messages[0]


def test_masking_keeps_only_the_ends():
    assert mask_resident_id(GOOD_ID) == "310***********4216"
    assert mask_resident_id("") == ""


@given(
    serial=st.integers(0, 999),
    day=st.integers(1, 28),
    month=st.integers(1, 12),
    year=st.integers(1950, 2010),
)
def test_any_valid_number_passes_and_any_wrong_check_digit_fails(serial, day, month, year):
    body = f"310106{year:04d}{month:02d}{day:02d}{serial:03d}"
    check = ric.calc_check_digit(body + "0")
    assert clean_resident_id(body + check) == body + check
    wrong = next(c for c in "0123456789X" if c != check)
    with pytest.raises(ValidationError):
        clean_resident_id(body + wrong)
    masked = mask_resident_id(body + check)
    assert body[6:14] not in masked  # the birth date never shows
