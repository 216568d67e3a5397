from accounts.models import ApiToken, User
from accounts.permissions import user_has_perm


def api_token_list(*, fetched_by: User):
    qs = ApiToken.objects.select_related("user", "created_by")
    if not user_has_perm(fetched_by, "tokens.issue"):
        qs = qs.filter(user=fetched_by)
    return qs.order_by("-created_at")
