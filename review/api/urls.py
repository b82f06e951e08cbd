from django.urls import path

from review.api import exports as export_views
from review.api import proposals as review_views

urlpatterns: list = []

# Proposals, decisions, notifications, stats.
urlpatterns += [
    path("proposals/", review_views.ProposalListView.as_view(), name="proposal-list"),
    path("proposals/bulk-review/", review_views.ProposalBulkReviewView.as_view(), name="proposal-bulk-review"),
    path("proposals/export/", export_views.ProposalExportView.as_view(), name="proposal-export"),
    path("proposals/<int:pk>/", review_views.ProposalDetailView.as_view(), name="proposal-detail"),
    path("proposals/<int:pk>/events/", review_views.ProposalEventsView.as_view(), name="proposal-events"),
    path("proposals/<int:pk>/approve/", review_views.ProposalApproveView.as_view(), name="proposal-approve"),
    path("proposals/<int:pk>/reject/", review_views.ProposalRejectView.as_view(), name="proposal-reject"),
    path("proposals/<int:pk>/accept/", review_views.ProposalAcceptView.as_view(), name="proposal-accept"),
    path("proposals/<int:pk>/decline/", review_views.ProposalDeclineView.as_view(), name="proposal-decline"),
    path("proposals/<int:pk>/outcome/", review_views.ProposalOutcomeView.as_view(), name="proposal-outcome"),
    path("notifications/", review_views.NotificationListView.as_view(), name="notification-list"),
    path("notifications/read-all/", review_views.NotificationReadAllView.as_view(), name="notification-read-all"),
    path("notifications/<int:pk>/read/", review_views.NotificationReadView.as_view(), name="notification-read"),
    path("stats/", review_views.StatsView.as_view(), name="review-stats"),
    path("stats/export/", export_views.StatsExportView.as_view(), name="review-stats-export"),
]
