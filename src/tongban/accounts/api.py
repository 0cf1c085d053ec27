"""The signed-in person's own account: who they are and where their household is registered."""

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.security import django_auth

from tongban.catalogue.models import Region
from tongban.problems import problem
from tongban.schemas import Problem

from .models import User

router = Router(tags=["accounts"], auth=django_auth)


class DistrictOut(Schema):
    code: str
    name_en: str
    name_zh: str


class MeOut(Schema):
    username: str
    kind: str
    name: str
    registration_district: DistrictOut | None = Field(
        description="户籍所在地: where city-wide matters of this person are decided"
    )


class MeIn(Schema):
    registration_district: str | None = Field(
        description="The administrative code of a district, or null to clear it"
    )


def _me(user: User) -> dict:
    district = user.registration_district
    return {
        "username": user.username,
        "kind": user.kind,
        "name": user.display_name,
        "registration_district": district
        and {"code": district.code, "name_en": district.name_en, "name_zh": district.name_zh},
    }


@router.get("/me", response={200: MeOut, 401: Problem}, summary="The signed-in account")
def me(request: HttpRequest):
    return _me(request.user)


@router.patch(
    "/me",
    response={200: MeOut, 401: Problem, 403: Problem, 422: Problem},
    summary="Change the household registration district (a person only; audited)",
)
def change_me(request: HttpRequest, body: MeIn):
    user = request.user
    district = None
    if body.registration_district:
        district = Region.objects.filter(
            code=body.registration_district, kind=Region.Kind.DISTRICT
        ).first()
        if district is None:
            errors = [{"field": "registration_district", "message": "no such district"}]
            return problem(request, 422, "No district has this code.", errors=errors)
    if user.kind != User.Kind.PERSON:
        errors = [{"field": "registration_district", "message": "for a natural person only"}]
        return problem(request, 422, "Only a natural person has a household registration.",
                       errors=errors)  # fmt: skip
    user.registration_district = district
    user.save(update_fields=["registration_district"])
    return _me(user)
