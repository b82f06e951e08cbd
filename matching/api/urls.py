from django.urls import path

from matching.api import match_runs as run_views

# Match runs: reviewers list, start and follow runs.
urlpatterns = [
    path("match-runs/", run_views.MatchRunListView.as_view(), name="match-run-list"),
    path("match-runs/<int:pk>/", run_views.MatchRunDetailView.as_view(), name="match-run-detail"),
]
