"""The online stars become grades (ratings 0002), then the stars' columns go
(applications 0008): every rated application keeps its rating, a bad one gets a follow-up."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tongban.catalogue.models import CatalogueVersion, ServiceCentre
from tongban.ratings.models import FollowUp, Rating

BEFORE = [("applications", "0007_optional_materials"), ("ratings", None)]


@pytest.mark.django_db(transaction=True)
def test_rated_applications_keep_their_rating_as_a_grade(demo_catalogue):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE[:1]).apps.get_model("applications", "Application")
    applicant = demo_catalogue["jingan.fresh"]
    centre = ServiceCentre.objects.first()
    version = CatalogueVersion.objects.first()
    for number, stars in (("A-5", 5), ("A-2", 2), ("A-0", None)):
        old.objects.create(
            number=number, applicant_id=applicant.pk, centre_id=centre.pk,
            version_id=version.pk, counter="community", title_en="t", title_zh="t",
            state="completed",
        )  # fmt: skip
        with connection.cursor() as cursor:  # the stars' columns, as they were
            cursor.execute("UPDATE applications_application SET rating = %s, rating_comment = %s"
                           " WHERE number = %s", [stars, f"{stars} stars", number])  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    rated = {r.label: r for r in Rating.objects.select_related("application")}
    assert set(rated) == {"A-5", "A-2"}
    assert (rated["A-5"].grade, rated["A-5"].comment) == ("very_satisfied", "5 stars")
    assert (rated["A-2"].grade, rated["A-2"].channel) == ("dissatisfied", "online")
    assert rated["A-2"].application.number == "A-2" and rated["A-2"].rated_by_id == applicant.pk
    assert [f.rating.label for f in FollowUp.objects.all()] == ["A-2"]
