"""Every /v1 error, whatever raised it, is one problem-details shape and never a stack trace."""

import pytest
from fastapi.testclient import TestClient

from tests.conftest import READ_KEY, WRITE
from tests.payloads import offensive


@pytest.mark.parametrize(
    ("method", "path", "headers", "body", "status"),
    [
        ("GET", "/v1/nowhere", {}, None, 404),
        ("GET", "/v1/events/999999", {}, None, 404),
        ("GET", "/v1/events/abc", {}, None, 404),
        ("PUT", "/v1/events/bulk", WRITE, offensive(), 405),
        ("GET", "/v1/events/0", {}, None, 422),
        ("GET", "/v1/events/99999999999999999999999", {}, None, 422),
        ("DELETE", "/v1/provinces", {}, None, 405),
        ("GET", "/v1/events?limit=5000", {}, None, 422),
        ("POST", "/v1/events", {}, offensive(), 401),
        ("POST", "/v1/events", {"Authorization": f"Bearer {READ_KEY}"}, offensive(), 403),
        ("POST", "/v1/events", WRITE, {"kind": "offensive"}, 422),
    ],
)
def test_errors_share_one_problem_shape(
    client: TestClient, method: str, path: str, headers: dict[str, str], body: object, status: int
) -> None:
    response = client.request(method, path, headers=headers, json=body)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert problem["type"].startswith("/problems/")
    assert problem["title"]
    assert problem["detail"]
    assert "Traceback" not in response.text
    if status in (400, 422):
        for error in problem["errors"]:
            assert error["in"] in ("query", "body", "path", "header")
            assert error["detail"]
            assert ("name" in error) or ("pointer" in error)


def test_errors_name_the_path_parameter(client: TestClient) -> None:
    [error] = client.get("/v1/events/0").json()["errors"]
    assert error == {"in": "path", "name": "event_id", "detail": error["detail"]}


def test_method_not_allowed_lists_every_method_of_the_path(client: TestClient) -> None:
    # GET and POST /v1/events are two routes; Allow names both. PUT /v1/events/bulk is not an
    # edit of an event whose id is "bulk".
    response = client.request("DELETE", "/v1/events")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    response = client.put("/v1/events/bulk", json=[], headers=WRITE)
    assert (response.status_code, response.headers["allow"]) == (405, "POST")


def test_errors_list_every_missing_field(client: TestClient) -> None:
    response = client.post("/v1/events", json={"kind": "offensive"}, headers=WRITE)
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert {"/date", "/country", "/summary", "/sources"} <= pointers


def test_errors_nul_in_query_is_422(client: TestClient) -> None:
    response = client.get("/v1/events", params={"province": "Hel\x00mand"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == "province"
