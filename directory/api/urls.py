from django.urls import path

from directory.api import views

urlpatterns = [
    path("directory/", views.DirectoryListView.as_view(), name="directory-list"),
    path("directory/saved-searches/", views.SavedSearchListView.as_view(), name="saved-search-list"),
    path("directory/saved-searches/<int:pk>/", views.SavedSearchDetailView.as_view(), name="saved-search-detail"),
    path("directory/reviewer/firms/", views.ReviewerFirmListView.as_view(), name="reviewer-firm-list"),
    path("directory/reviewer/firms/export/", views.ReviewerFirmExportView.as_view(), name="reviewer-firm-export"),
    path("directory/<int:pk>/", views.DirectoryFirmView.as_view(), name="directory-firm"),
    path("directory/<int:pk>/introductions/", views.IntroductionRequestView.as_view(), name="directory-introduction"),
]
