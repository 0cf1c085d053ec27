from django.urls import path

from . import views

app_name = "guidance"
urlpatterns = [
    path("", views.start, name="start"),
    path("analytics/", views.funnel_analytics, name="analytics"),
    path("s/<slug:code>/", views.scenario, name="scenario"),
    path("sheet/<str:token>/", views.sheet, name="sheet"),
    path("sheet/<str:token>/pdf/", views.sheet_pdf, name="sheet_pdf"),
    path("sheet/<str:token>/forms/", views.forms_pdf, name="forms_pdf"),
    path("<slug:code>/", views.activity, name="activity"),
    path("<slug:code>/graph/", views.graph, name="graph"),
]
