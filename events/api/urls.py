from django.urls import path

from events.api import views

urlpatterns = [
    path("events/", views.EventListView.as_view(), name="event-list"),
    path("events/<int:pk>/", views.EventDetailView.as_view(), name="event-detail"),
    path("events/<int:pk>/status/", views.EventStatusView.as_view(), name="event-status"),
    path("events/<int:pk>/publish/", views.EventPublishView.as_view(), name="event-publish"),
    path("events/<int:pk>/schedule/", views.EventScheduleView.as_view(), name="event-schedule"),
    path("events/<int:pk>/meetings/", views.EventMeetingsView.as_view(), name="event-meetings"),
    path("events/<int:pk>/stats/", views.EventStatsView.as_view(), name="event-stats"),
    path("events/<int:pk>/participants/", views.EventParticipantsView.as_view(), name="event-participants"),
    path("events/<int:pk>/participations/", views.EventRegisterView.as_view(), name="event-register"),
    path("participations/<int:pk>/", views.ParticipationDetailView.as_view(), name="participation-detail"),
    path("participations/<int:pk>/requests/", views.ParticipationRequestsView.as_view(), name="participation-requests"),
    path(
        "participations/<int:pk>/suggestions/",
        views.ParticipationSuggestionsView.as_view(),
        name="participation-suggestions",
    ),
    path("participations/<int:pk>/agenda/", views.ParticipationAgendaView.as_view(), name="participation-agenda"),
    path("meeting-requests/<int:pk>/accept/", views.RequestAcceptView.as_view(), name="meeting-request-accept"),
    path("meeting-requests/<int:pk>/decline/", views.RequestDeclineView.as_view(), name="meeting-request-decline"),
    path("meetings/<int:pk>/lock/", views.MeetingLockView.as_view(), name="meeting-lock"),
    path("meetings/<int:pk>/cancel/", views.MeetingCancelView.as_view(), name="meeting-cancel"),
    path("meetings/<int:pk>/follow-up/", views.MeetingFollowUpView.as_view(), name="meeting-follow-up"),
]
