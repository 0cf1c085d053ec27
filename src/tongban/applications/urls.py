from django.urls import path

from . import views
from .staff import views as staff_views

app_name = "applications"
urlpatterns = [
    # Applicants
    path("applications/", views.mine, name="list"),
    path("applications/start/", views.start, name="start"),
    path("applications/vault/", views.vault, name="vault"),
    path("applications/<str:number>/", views.detail, name="detail"),
    path("applications/<str:number>/data/", views.save_data, name="data"),
    path("applications/<str:number>/materials/", views.upload, name="upload"),
    path("applications/<str:number>/reuse/", views.reuse, name="reuse"),
    path("applications/<str:number>/remove/", views.remove, name="remove"),
    path("applications/<str:number>/delivery/", views.delivery, name="delivery"),
    path("applications/<str:number>/beneficiary/", views.beneficiary, name="beneficiary"),
    path("applications/<str:number>/matters/", views.add_matter, name="add_matter"),
    path("applications/<str:number>/centre/", views.centre, name="centre"),
    path("applications/<str:number>/submit/", views.submit, name="submit"),
    path("applications/<str:number>/withdraw/", views.withdraw, name="withdraw"),
    path("applications/<str:number>/supplements/<int:pk>/", views.answer, name="answer"),
    path("applications/<str:number>/messages/", views.message, name="message"),
    path("applications/<str:number>/fees/", views.pay, name="pay"),
    path("applications/<str:number>/rating/", views.rate, name="rate"),
    path("applications/<str:number>/issued/<str:serial>.pdf", views.issued_pdf, name="issued"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("notifications/", views.notifications, name="notifications"),
    # Staff
    path("staff/acceptance/", staff_views.acceptance, name="acceptance"),
    path("staff/applications/", staff_views.centre_list, name="centre"),
    path("staff/applications/<str:number>/", staff_views.case, name="case"),
    path("staff/applications/<str:number>/accept/", staff_views.accept, name="accept"),
    path("staff/applications/<str:number>/reject/", staff_views.reject, name="reject"),
    path("staff/applications/<str:number>/issue/", staff_views.issue, name="issue"),
    path("staff/applications/<str:number>/collect/", staff_views.collect, name="collect"),
    path("staff/applications/<str:number>/track/", staff_views.track, name="track"),
    path("staff/certificates/<str:serial>/revoke/", staff_views.revoke, name="revoke"),
    path("staff/reviews/", staff_views.inbox, name="inbox"),
    path("staff/reviews/<int:pk>/", staff_views.task, name="task"),
    path("staff/reviews/<int:pk>/<slug:action>/", staff_views.task_action, name="task_action"),
    path("staff/statistics/", staff_views.statistics, name="statistics"),
]
