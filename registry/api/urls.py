from rest_framework.routers import SimpleRouter

from registry.api.views import CapabilityViewSet, FirmViewSet, PlatformViewSet

router = SimpleRouter()
router.register("firms", FirmViewSet, basename="firm")
router.register("capabilities", CapabilityViewSet, basename="capability")
router.register("platforms", PlatformViewSet, basename="platform")

urlpatterns = router.urls
