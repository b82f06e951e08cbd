from django.urls import path

from compliance.api import views

urlpatterns = [
    path("screening/", views.ScreeningListView.as_view(), name="screening-list"),
    path("screening/firms/<int:firm_id>/", views.ScreeningFirmView.as_view(), name="screening-firm"),
    path("screening/firms/<int:firm_id>/confirm/", views.ScreeningConfirmView.as_view(), name="screening-confirm"),
    path("screening/firms/<int:firm_id>/dismiss/", views.ScreeningDismissView.as_view(), name="screening-dismiss"),
    path("firms/<int:firm_id>/owners/", views.FirmOwnersView.as_view(), name="firm-owners"),
    path("firms/<int:firm_id>/owners/<int:owner_id>/", views.FirmOwnerView.as_view(), name="firm-owner"),
]
