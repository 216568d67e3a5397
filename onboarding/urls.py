from django.urls import path

from onboarding.claims import views as claims
from onboarding.views import apply, partner, review

app_name = "onboarding"

urlpatterns = [
    path("apply/", apply.apply, name="apply"),
    path("applications/<int:application_id>/", apply.application_detail, name="application"),
    path("applications/<int:application_id>/step/<int:step>/", apply.application_step, name="application_step"),
    path("applications/<int:application_id>/review/", apply.application_review, name="application_review"),
    path("applications/<int:application_id>/submit/", apply.application_submit_view, name="application_submit"),
    path("applications/<int:application_id>/withdraw/", apply.application_withdraw_view,
         name="application_withdraw"),
    path("applications/<int:application_id>/documents/<int:document_id>/", apply.document_download,
         name="document_download"),
    path("review/", review.queue, name="review_queue"),
    path("review/<int:application_id>/", review.detail, name="review_detail"),
    path("review/<int:application_id>/start/", review.start, name="review_start"),
    path("review/<int:application_id>/decide/", review.decide, name="review_decide"),
    path("review/<int:application_id>/checks/", review.record_check, name="review_check"),
    path("review/<int:application_id>/veteran/", review.verify_veteran, name="review_veteran"),
    path("company/", partner.my_company, name="my_company"),
    path("partners/", partner.partners, name="partner_list"),
    path("partners/<int:partner_id>/", partner.partner_detail, name="partner_detail"),
    path("partners/<int:partner_id>/checklist/", partner.checklist_update, name="partner_checklist"),
    path("reimbursement/", claims.reimbursement, name="reimbursement"),
    path("reimbursement/new/", claims.claim_new, name="claim_new"),
    path("reimbursement/connect/", claims.connect_stripe, name="reimbursement_connect"),
    path("claims/", claims.queue, name="claim_queue"),
    path("claims/payout-run/", claims.payout_run, name="claim_payout_run"),
    path("claims/<int:claim_id>/", claims.claim_page, name="claim"),
    path("claims/<int:claim_id>/decide/", claims.decide, name="claim_decide"),
    path("claims/<int:claim_id>/retry-payout/", claims.retry_payout, name="claim_retry_payout"),
    path("claims/<int:claim_id>/receipts/<int:receipt_id>/", claims.receipt_download, name="claim_receipt"),
]
