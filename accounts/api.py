from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken, User
from accounts.selectors import api_token_list
from accounts.serializers import ApiTokenCreatedSerializer, ApiTokenCreateSerializer, ApiTokenSerializer, MeSerializer
from accounts.services import api_token_create, api_token_revoke
from core.errors import NotFound, PermissionDenied
from core.idempotency import idempotent


class MeView(APIView):
    api_area = "account"

    @extend_schema(responses=MeSerializer, summary="The signed-in account")
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """API tokens: yours, or (program admins) everyone's."""

    api_area = "account"
    permission_required = "account.tokens"
    serializer_class = ApiTokenSerializer
    filterset_fields = ["revoked_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return ApiToken.objects.none()
        return api_token_list(fetched_by=self.request.user)

    @extend_schema(request=ApiTokenCreateSerializer, responses={201: ApiTokenCreatedSerializer})
    @idempotent
    def create(self, request):
        data = ApiTokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        owner = request.user
        if "user_id" in fields:
            user_id = fields.pop("user_id")
            if user_id != request.user.pk:
                if not request.user.is_program_admin:
                    raise PermissionDenied(_("Only program admins issue tokens for other accounts."))
                owner = get_object_or_404(User, pk=user_id)
        parent = request.auth if isinstance(request.auth, ApiToken) else None
        token, raw = api_token_create(user=owner, created_by=request.user, parent=parent, **fields)
        token.token = raw
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ApiTokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        if not (pk or "").isdigit():
            raise NotFound()  # the same answer as another account's token
        token = api_token_revoke(token_id=int(pk), revoked_by=request.user)
        return Response(ApiTokenSerializer(token).data)
