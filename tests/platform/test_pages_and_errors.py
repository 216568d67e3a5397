import re

import pytest


def test_landing_explains_the_program_with_calls_to_action(client):
    html = client.get("/").content.decode()
    assert "Start your own delivery business" in html
    assert "$10,000" in html
    assert "Apply" in html and "Enroll your business" in html


def test_pages_load_only_local_assets(client):
    for url in ("/", "/accounts/login/", "/api/docs/"):
        html = client.get(url).content.decode()
        remote = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
        assert remote == [], (url, remote)


def test_api_docs_render_from_local_swagger_assets(client):
    html = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200


@pytest.mark.django_db
def test_openapi_schema_is_served(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/me/" in schema["paths"]
    assert "/api/v1/tokens/" in schema["paths"]


def test_unknown_page_gets_the_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_unknown_api_path_answers_json(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found.", "fields": {}}


@pytest.mark.django_db
def test_api_errors_share_one_shape(api_client):
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "detail": "Authentication credentials were not provided.",
                               "fields": {}}


@pytest.mark.django_db
def test_wrong_method_is_405_in_the_same_shape(user, token_client):
    response = token_client(user).delete("/api/v1/me/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_a_nul_character_in_a_filter_is_400_not_500(user, token_client):
    response = token_client(user).get("/api/v1/tokens/?revoked_at=%00")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_query"


def test_a_nul_character_on_a_page_is_the_friendly_400(client):
    response = client.get("/?q=a%00b")
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()
