"""MARAC: referring a case, the MARACs, their meetings, actions, transfers and the return."""

from django.urls import path

from dsvb.web.cases.views import marac

urlpatterns = [
    path("<int:case_id>/refer/", marac.refer, name="marac-refer"),
    path("maracs/", marac.marac_list, name="maracs"),
    path("maracs/<int:marac_id>/", marac.marac_detail, name="marac"),
    path("maracs/<int:marac_id>/meetings/new/", marac.meeting_new, name="marac-meeting-new"),
    path("maracs/<int:marac_id>/return/", marac.return_page, name="marac-return"),
    path(
        "maracs/<int:marac_id>/return.<str:fmt>",
        marac.return_export,
        name="marac-return-export",
    ),
    path("marac-meetings/<int:meeting_id>/", marac.meeting_detail, name="marac-meeting"),
    path("marac-meetings/<int:meeting_id>/list/", marac.meeting_list, name="marac-meeting-list"),
    path(
        "marac-meetings/<int:meeting_id>/unlist/",
        marac.meeting_unlist,
        name="marac-meeting-unlist",
    ),
    path("marac-meetings/<int:meeting_id>/held/", marac.meeting_held, name="marac-meeting-held"),
    path("referrals/<int:referral_id>/actions/new/", marac.action_new, name="marac-action-new"),
    path("referrals/<int:referral_id>/transfer/", marac.transfer, name="marac-transfer"),
    path("referrals/<int:referral_id>/close/", marac.referral_close, name="marac-referral-close"),
    path(
        "referrals/<int:referral_id>/withdraw/",
        marac.referral_withdraw,
        name="marac-referral-withdraw",
    ),
    path("marac-actions/<int:action_id>/", marac.action_detail, name="marac-action"),
]
