from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("sessions", api.SessionViewSet, basename="coaching-session")
router.register("invitations", api.InvitationViewSet, basename="coaching-invitation")
router.register("attendance", api.AttendanceViewSet, basename="coaching-attendance")
router.register("contacts", api.CoachingContactViewSet, basename="coaching-contact")
router.register("training-modules", api.TrainingModuleViewSet,
                basename="coaching-training-module")
router.register("training-completions", api.TrainingCompletionViewSet,
                basename="coaching-training-completion")

urlpatterns = router.urls
