"""The online 1–5 stars become grades: one Rating per rated application (5 → very
satisfied … 1 → very dissatisfied); a bad one opens a follow-up as a new rating would."""

from django.db import migrations
from django.utils import timezone

from tongban.ratings import grades, services


def stars_to_grades(apps, schema_editor):
    Application = apps.get_model("applications", "Application")
    Rating = apps.get_model("ratings", "Rating")
    FollowUp = apps.get_model("ratings", "FollowUp")
    # Read as values: in this state the old column and the new reverse relation share the
    # name "rating"; a values() lookup resolves to the column.
    rated = Application.objects.filter(rating__isnull=False).values(
        "pk", "number", "centre_id", "applicant_id", "rating", "rating_comment", "updated_at"
    )
    for row in rated.iterator():
        rating = Rating.objects.create(
            channel="online", source="online", label=row["number"],
            centre_id=row["centre_id"], application_id=row["pk"],
            grade=grades.from_stars(row["rating"]), comment=row["rating_comment"],
            rated_by_id=row["applicant_id"], rated_at=row["updated_at"],
        )  # fmt: skip
        if grades.is_bad(rating.grade):
            day = timezone.localdate(row["updated_at"])
            revisit_due, rectify_due = services.deadlines(day)
            FollowUp.objects.create(
                rating=rating, opened_on=day, revisit_due=revisit_due, rectify_due=rectify_due
            )


def grades_to_stars(apps, schema_editor):
    Rating = apps.get_model("ratings", "Rating")
    Application = apps.get_model("applications", "Application")
    for rating in Rating.objects.filter(application__isnull=False).iterator():
        stars = 5 - grades.CODES.index(rating.grade)
        Application.objects.filter(pk=rating.application_id).update(
            rating=stars, rating_comment=rating.comment
        )
    Rating.objects.filter(application__isnull=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ratings", "0001_initial"),
        ("applications", "0007_optional_materials"),
    ]

    operations = [migrations.RunPython(stars_to_grades, grades_to_stars)]
