"""Notification moved from applications to notifications: same table, rows kept."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tongban.notifications.models import Notification

BEFORE = [("applications", "0001_initial"), ("notifications", None)]


@pytest.mark.django_db(transaction=True)
def test_notifications_written_before_the_move_are_read_after_it(django_user_model):
    user = django_user_model.objects.create_user(username="li")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state([("applications", "0001_initial")]).apps
    old = old_apps.get_model("applications", "Notification")
    old.objects.create(user_id=user.pk, text_en="Submitted.", text_zh="已提交。")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    note = Notification.objects.get()
    assert (note.user_id, note.text_en, note.text_zh) == (user.pk, "Submitted.", "已提交。")
    assert Notification._meta.db_table == "applications_notification"
