from django.urls import path

from performance import views, views_program

app_name = "performance"

urlpatterns = [
    path("", views.scorecard, name="scorecard"),
    path("defects/", views.defects, name="defects"),
    path("statements/", views.statement_list, name="statement_list"),
    path("statements/<int:pk>/", views.statement_detail, name="statement_detail"),
    path("statements/<int:pk>/csv/", views.statement_csv_view, name="statement_csv"),
    path("statements/<int:pk>/pdf/", views.statement_pdf_view, name="statement_pdf"),
    path("statements/<int:pk>/dispute/", views.statement_dispute_view, name="statement_dispute"),
    path("statements/<int:pk>/approve/", views_program.statement_approve_view, name="statement_approve"),
    path("statements/<int:pk>/pay/", views_program.statement_pay_view, name="statement_pay"),
    path("disputes/<int:pk>/file/", views.dispute_file, name="dispute_file"),
    path("disputes/<int:pk>/resolve/", views_program.dispute_resolve_view, name="dispute_resolve"),
    path("program/", views_program.program, name="program"),
    path("program/finance.csv", views_program.program_finance_csv, name="program_finance_csv"),
    path("program/compute/", views_program.week_compute_start, name="week_compute"),
    path("program/weeks/<int:pk>/", views_program.week_detail, name="week_detail"),
    path("program/weeks/<int:pk>/progress/", views_program.week_progress, name="week_progress"),
    path("program/weeks/<int:pk>/issue/", views_program.week_issue_view, name="week_issue"),
    path("program/weeks/<int:pk>/pay/", views_program.week_pay_view, name="week_pay"),
]
